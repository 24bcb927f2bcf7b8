package io.jspeed.model.format;

import io.jspeed.tensor.BF16;

import io.jspeed.tensor.DType;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a safetensors file: tensors in the order added, data contiguous in that order, header padded with
 * spaces so the data starts 8-byte aligned. The file is written atomically ({@link AtomicFiles}).
 *
 * <p>Arrays and segments passed to {@code add*} are not copied: they are read when {@link #write} runs, so a
 * checkpoint of a large model costs no second copy in memory. Keep them unchanged until then.
 */
public final class SafetensorsWriter {

    private static final int CHUNK_ELEMENTS = 1 << 14;

    /** One tensor waiting to be written: its header entry and how to stream its bytes. */
    private record Pending(DType dtype, long[] shape, long byteLength, TensorBytes bytes) {
    }

    /** Produces one tensor's little-endian bytes while the file is written. */
    @FunctionalInterface
    public interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry (a later value for the same key replaces the earlier one). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Adds an F32 tensor holding the {@code product(shape)} floats of {@code data} starting at {@code offset}. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data, int offset) {
        int count = checkArray(name, shape, data.length, offset);
        return add(name, DType.F32, shape, out -> writeFloats(out, data, offset, count, false));
    }

    /** Adds a BF16 tensor from floats, each rounded to the nearest bf16 (ties to even). */
    public SafetensorsWriter addBf16(String name, long[] shape, float[] data, int offset) {
        int count = checkArray(name, shape, data.length, offset);
        return add(name, DType.BF16, shape, out -> writeFloats(out, data, offset, count, true));
    }

    /** Adds an I32 tensor holding the {@code product(shape)} ints of {@code data} starting at {@code offset}. */
    public SafetensorsWriter addInts(String name, long[] shape, int[] data, int offset) {
        int count = checkArray(name, shape, data.length, offset);
        return add(name, DType.I32, shape, out -> writeInts(out, data, offset, count));
    }

    /**
     * Adds a tensor whose little-endian bytes are already laid out in {@code bytes} (for example a view into a
     * flat parameter buffer, or a segment from {@link SafetensorsFile#segment}).
     */
    public SafetensorsWriter addSegment(String name, DType dtype, long[] shape, MemorySegment bytes) {
        long expected = Math.multiplyExact(checkShape(name, shape), dtype.byteSize());
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("tensor \"" + name + "\": segment has " + bytes.byteSize()
                    + " bytes; expected " + expected + " for shape " + Arrays.toString(shape) + " of " + dtype);
        }
        return add(name, dtype, shape, out -> writeSegment(out, bytes));
    }

    /**
     * Adds a tensor whose bytes {@code bytes} streams when {@link #write} runs (for example quantized one row at a
     * time, so a large model is never held in memory). It must write exactly product(shape) * dtype size bytes.
     */
    public SafetensorsWriter addStreamed(String name, DType dtype, long[] shape, TensorBytes bytes) {
        long expected = Math.multiplyExact(checkShape(name, shape), dtype.byteSize());
        return add(name, dtype, shape, out -> {
            long[] count = {0};
            bytes.writeTo(new java.io.FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    count[0]++;
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    count[0] += len;
                    out.write(b, off, len);
                }
            });
            if (count[0] != expected) {
                throw new IllegalStateException("tensor \"" + name + "\": streamed " + count[0] + " bytes; expected " + expected);
            }
        });
    }

    /** Writes the file atomically: the previous content of {@code file}, if any, survives a failure. */
    public void write(Path file) throws IOException {
        byte[] header = headerBytes();
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(length.array());
            out.write(header);
            for (Pending p : tensors.values()) {
                p.bytes().writeTo(out);
            }
        });
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, TensorBytes bytes) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor \"" + name + "\" was already added; names must be unique");
        }
        long length = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        tensors.put(name, new Pending(dtype, shape.clone(), length, bytes));
        return this;
    }

    private static long checkShape(String name, long[] shape) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("tensor name \"" + name + "\" is reserved or empty; expected another name");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape)
                        + " has a negative dimension; expected dimensions >= 0");
            }
        }
        return TensorInfo.elementCount(shape);
    }

    private static int checkArray(String name, long[] shape, int arrayLength, int offset) {
        long count = checkShape(name, shape);
        if (offset < 0 || count > arrayLength - (long) offset) {
            throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape) + " needs "
                    + count + " elements from offset " + offset + " but the array has " + arrayLength);
        }
        return (int) count;
    }

    private byte[] headerBytes() {
        SafetensorsLayout layout = new SafetensorsLayout();
        metadata.forEach(layout::metadata);
        tensors.forEach((name, p) -> layout.add(name, p.dtype(), p.shape()));
        return layout.header();
    }

    private static void writeFloats(OutputStream out, float[] data, int offset, int count, boolean bf16)
            throws IOException {
        int width = bf16 ? Short.BYTES : Float.BYTES;
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * width).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < count; start += CHUNK_ELEMENTS) {
            int end = Math.min(count, start + CHUNK_ELEMENTS);
            chunk.clear();
            for (int i = start; i < end; i++) {
                float v = data[offset + i];
                if (bf16) {
                    chunk.putShort(BF16.fromFloat(v));
                } else {
                    chunk.putFloat(v);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }

    private static void writeInts(OutputStream out, int[] data, int offset, int count) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_ELEMENTS * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < count; start += CHUNK_ELEMENTS) {
            int end = Math.min(count, start + CHUNK_ELEMENTS);
            chunk.clear();
            for (int i = start; i < end; i++) {
                chunk.putInt(data[offset + i]);
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }

    private static void writeSegment(OutputStream out, MemorySegment bytes) throws IOException {
        byte[] chunk = new byte[CHUNK_ELEMENTS * Float.BYTES];
        for (long start = 0; start < bytes.byteSize(); start += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes.byteSize() - start);
            MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, start, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
