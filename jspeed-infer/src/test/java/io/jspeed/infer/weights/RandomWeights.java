package io.jspeed.infer.weights;

import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Random but well-formed stored matrices: random quantized bits with modest fp16 scales. */
final class RandomWeights {

    private RandomWeights() {
    }

    static MemorySegment of(GgmlType type, int rows, int cols, Random rng) {
        long n = (long) rows * cols;
        byte[] bytes = new byte[(int) type.byteSize(n)];
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    le.putFloat(i * 4, (float) rng.nextGaussian());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    le.putShort(i * 2, Float.floatToFloat16((float) rng.nextGaussian()));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    le.putShort(i * 2, (short) (Float.floatToRawIntBits((float) rng.nextGaussian()) >>> 16));
                }
            }
            default -> {
                rng.nextBytes(bytes);
                int blocks = (int) (n / type.blockSize());
                for (int b = 0; b < blocks; b++) {
                    int o = b * type.blockBytes();
                    switch (type) {
                        case Q8_0, Q4_0 -> le.putShort(o, scale(rng));
                        case Q4_K -> {
                            le.putShort(o, scale(rng));
                            le.putShort(o + 2, scale(rng));
                        }
                        case Q6_K -> le.putShort(o + 208, scale(rng));
                        default -> throw new IllegalArgumentException(type.toString());
                    }
                }
            }
        }
        return segment(bytes);
    }

    static MemorySegment segment(byte[] bytes) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, bytes.length), 64).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    static float[] gaussian(int n, Random rng) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    private static short scale(Random rng) {
        return Float.floatToFloat16((float) (0.001 + 0.02 * rng.nextDouble()) * (rng.nextBoolean() ? 1 : -1));
    }
}
