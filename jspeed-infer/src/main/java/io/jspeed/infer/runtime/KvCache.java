package io.jspeed.infer.runtime;

import java.util.Arrays;

/**
 * One sequence's keys and values for every layer, [position, kvHead, headDim] per layer, grown on demand up to the
 * model's context length. Attention runs inside the cache ({@link #attend}) so each storage precision reads its own
 * layout in a tight loop, with one virtual call per (query row, head) rather than per position.
 */
public abstract sealed class KvCache permits Fp32KvCache, Bf16KvCache, Int8KvCache {

    /** Storage precision of cached keys and values. */
    public enum Precision {
        FP32(4), BF16(2), INT8(1);

        final int bytesPerElement;

        Precision(int bytesPerElement) {
            this.bytesPerElement = bytesPerElement;
        }

        public static Precision parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "fp32", "f32" -> FP32;
                case "bf16" -> BF16;
                case "int8", "q8" -> INT8;
                default -> throw new IllegalArgumentException("KV cache precision \"" + s + "\": expected fp32, bf16 or int8");
            };
        }
    }

    private static final int MIN_CAPACITY = 64;

    protected final int layers, kvHeads, headDim, kvWidth, maxLength;
    private final Precision precision;
    protected int capacity;

    protected KvCache(Precision precision, int layers, int kvHeads, int headDim, int maxLength) {
        this.precision = precision;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.kvWidth = kvHeads * headDim;
        this.maxLength = maxLength;
    }

    public static KvCache create(Precision p, int layers, int kvHeads, int headDim, int maxLength) {
        return switch (p) {
            case FP32 -> new Fp32KvCache(layers, kvHeads, headDim, maxLength);
            case BF16 -> new Bf16KvCache(layers, kvHeads, headDim, maxLength);
            case INT8 -> new Int8KvCache(layers, kvHeads, headDim, maxLength);
        };
    }

    public final Precision precision() {
        return precision;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Makes room for positions [0, length): grows by doubling, never past maxLength; checks memory before allocating. */
    public final void reserve(int length) {
        if (length <= capacity) return;
        if (length > maxLength)
            throw new IllegalArgumentException("sequence length " + length + " exceeds the model's context length " + maxLength);
        int next = (int) Math.min(maxLength, Math.max(length, Math.max(MIN_CAPACITY, 2L * capacity)));
        long bytes = 2L * layers * next * kvWidth * precision().bytesPerElement;
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free)
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "a KV cache of %d positions needs %.1f MiB but only %.1f MiB of heap is free; raise -Xmx or use a smaller "
                            + "context / bf16 or int8 cache", next, bytes / 1048576.0, free / 1048576.0));
        grow(next);
        capacity = next;
    }

    /** Copies storage into arrays of newCapacity positions. */
    protected abstract void grow(int newCapacity);

    /** Replaces each layer's array (float[], short[] or byte[]) by a copy of {@code length} elements, zero-filled past the old end. */
    protected static void resize(Object[] perLayer, int length) {
        for (int l = 0; l < perLayer.length; l++) {
            perLayer[l] = switch (perLayer[l]) {
                case float[] a -> Arrays.copyOf(a, length);
                case short[] a -> Arrays.copyOf(a, length);
                case byte[] a -> Arrays.copyOf(a, length);
                default -> throw new IllegalArgumentException("a KV cache layer is a " + perLayer[l].getClass().getSimpleName()
                        + "; expected float[], short[] or byte[]");
            };
        }
    }

    /** Stores the key and value rows (kvWidth floats each) of one position. */
    public abstract void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff);

    /**
     * For each of the {@code group} query heads sharing one KV head (grouped-query attention; their q and out slices
     * are consecutive, headDim apart): out_g = sum_t softmax_t(q_g·k_t · scale) v_t over positions t in [0, length).
     * The group shares one pass over the cached keys and values. {@code scores} is scratch of at least
     * group·length floats the caller owns per thread.
     */
    public abstract void attend(int layer, int kvHead, int length, float[] q, int qOff, int group, float scale,
                                float[] out, int outOff, float[] scores);

    /** Bytes currently allocated. */
    public long bytes() {
        return 2L * layers * capacity * kvWidth * precision().bytesPerElement;
    }
}
