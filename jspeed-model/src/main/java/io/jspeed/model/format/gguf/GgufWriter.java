package io.jspeed.model.format.gguf;

import io.jspeed.model.format.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a GGUF v3 file llama.cpp can load: metadata in the order put, tensor infos and data in the order added,
 * every tensor's data aligned to {@link #alignment} (32 unless set; a non-default value is recorded as
 * general.alignment). Shapes are given row-major ([rows, cols]) as in safetensors; the file stores them reversed
 * (ne[0] = cols). F32/F16/Q8_0/Q4_0 tensors are encoded from floats while the file is written, one row at a time;
 * {@link #addRaw} takes bytes already in any ggml type. Arrays and segments are read when {@link #write} runs, not
 * copied before. The file is written atomically ({@link AtomicFiles}).
 */
public final class GgufWriter {

    private static final int CHUNK = 1 << 16;

    private record Pending(String name, GgmlType type, long[] dims, long byteSize, TensorBytes bytes) {
    }

    @FunctionalInterface
    private interface TensorBytes {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private int alignment = GgufHeaderParser.DEFAULT_ALIGNMENT;

    /** Adds or replaces a metadata entry (general.alignment is managed by {@link #alignment}). */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.equals(GgufHeaderParser.ALIGNMENT_KEY)) {
            if (value.type() != GgufValueType.UINT32) {
                throw new IllegalArgumentException(key + " must be a UINT32, got " + value);
            }
            return alignment((int) (long) (Long) value.value());
        }
        metadata.put(key, value);
        return this;
    }

    /** Copies every entry of {@code from} (for example another file's metadata). */
    public GgufWriter putAll(GgufMetadata from) {
        from.asMap().forEach(this::put);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.string(value));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValue.uint32(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.float32(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.bool(value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, GgufValue.strings(values));
    }

    /** Data alignment, a power of two. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        this.alignment = alignment;
        if (alignment == GgufHeaderParser.DEFAULT_ALIGNMENT) {
            metadata.remove(GgufHeaderParser.ALIGNMENT_KEY);
        } else {
            metadata.put(GgufHeaderParser.ALIGNMENT_KEY, GgufValue.uint32(alignment));
        }
        return this;
    }

    /** Fills dst[0, cols) with row r of a tensor (rows counted in the row-major shape, cols = its last dimension). */
    @FunctionalInterface
    public interface RowSource {
        void row(long r, float[] dst);
    }

    /** Adds a tensor of {@code shape} (row-major) from product(shape) floats at data[offset], stored as {@code type}. */
    public GgufWriter add(String name, GgmlType type, long[] shape, float[] data, int offset) {
        long count = elements(dims(name, type, shape));
        if (offset < 0 || count > data.length - (long) offset) {
            throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape) + " needs " + count
                    + " floats from offset " + offset + " but the array has " + data.length);
        }
        int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        return addRows(name, type, shape, (r, dst) -> System.arraycopy(data, (int) (offset + r * cols), dst, 0, cols));
    }

    /**
     * Adds a tensor of {@code shape} (row-major) stored as {@code type} (F32, F16, Q8_0 or Q4_0), encoded one row at
     * a time from {@code rows} while the file is written, so a large tensor is never held in memory as floats.
     */
    public GgufWriter addRows(String name, GgmlType type, long[] shape, RowSource rows) {
        long[] dims = dims(name, type, shape);
        long count = elements(dims);
        if (dims.length > 0 && dims[0] > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("tensor \"" + name + "\": rows of " + dims[0] + " elements are too long to encode");
        }
        int rowLength = dims.length == 0 ? 1 : (int) dims[0];
        long rowCount = rowLength == 0 ? 0 : count / rowLength;
        TensorBytes bytes = switch (type) {
            case F32, F16, Q8_0, Q4_0 -> out -> writeEncoded(out, type, rows, rowCount, rowLength);
            default -> throw new IllegalArgumentException("tensor \"" + name + "\": encoding floats as " + type
                    + " is not supported; expected F32, F16, Q8_0 or Q4_0 (or addRaw with bytes already encoded)");
        };
        return add(new Pending(name, type, dims, type.byteSize(count), bytes));
    }

    public GgufWriter addF32(String name, long[] shape, float[] data, int offset) {
        return add(name, GgmlType.F32, shape, data, offset);
    }

    /** Adds a tensor whose bytes are already in {@code type}'s layout. */
    public GgufWriter addRaw(String name, GgmlType type, long[] shape, MemorySegment bytes) {
        long[] dims = dims(name, type, shape);
        long expected = type.byteSize(elements(dims));
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("tensor \"" + name + "\": " + bytes.byteSize() + " bytes; expected " + expected
                    + " for shape " + Arrays.toString(shape) + " of " + type);
        }
        return add(new Pending(name, type, dims, expected, out -> writeSegment(out, bytes)));
    }

    /** Writes the file atomically; a failure leaves a previous {@code file} as it was. */
    public void write(Path file) throws IOException {
        byte[] header = header();
        AtomicFiles.write(file, out -> {
            out.write(header);
            long written = header.length;
            for (Pending p : tensors.values()) {
                p.bytes().writeTo(out);
                written += p.byteSize();
                written = pad(out, written);
            }
        });
    }

    private GgufWriter add(Pending p) {
        if (tensors.containsKey(p.name())) {
            throw new IllegalArgumentException("tensor \"" + p.name() + "\" was already added; names must be unique");
        }
        tensors.put(p.name(), p);
        return this;
    }

    private byte[] header() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Le le = new Le(out);
        le.i32(GgufHeaderParser.MAGIC);
        le.i32(3);
        le.i64(tensors.size());
        le.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            le.string(e.getKey());
            le.i32(e.getValue().type().id());
            le.value(e.getValue());
        }
        long offset = 0;
        for (Pending p : tensors.values()) {
            le.string(p.name());
            le.i32(p.dims().length);
            for (long d : p.dims()) {
                le.i64(d);
            }
            le.i32(p.type().id());
            le.i64(offset);
            offset = alignUp(offset + p.byteSize());
        }
        int size = out.size();
        out.write(new byte[(int) (alignUp(size) - size)]);
        return out.toByteArray();
    }

    private long pad(OutputStream out, long written) throws IOException {
        long aligned = alignUp(written);
        out.write(new byte[(int) (aligned - written)]);
        return aligned;
    }

    private long alignUp(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static long[] dims(String name, GgmlType type, long[] shape) {
        Objects.requireNonNull(name, "name");
        if (shape.length > GgufHeaderParser.MAX_DIMS) {
            throw new IllegalArgumentException("tensor \"" + name + "\": " + shape.length + " dimensions; GGUF allows at most "
                    + GgufHeaderParser.MAX_DIMS);
        }
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("tensor \"" + name + "\": negative dimension in " + Arrays.toString(shape));
            }
            dims[i] = shape[shape.length - 1 - i];
        }
        if (dims.length > 0 && dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor \"" + name + "\": rows of " + dims[0] + " elements do not fill whole "
                    + type + " blocks of " + type.blockSize());
        }
        return dims;
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void writeEncoded(OutputStream out, GgmlType type, RowSource rows, long rowCount, int rowLength)
            throws IOException {
        byte[] row = new byte[(int) type.byteSize(rowLength)];
        float[] data = new float[rowLength];
        ByteBuffer le = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rowCount; r++) {
            rows.row(r, data);
            switch (type) {
                case F32 -> {
                    le.clear();
                    for (int i = 0; i < rowLength; i++) {
                        le.putFloat(data[i]);
                    }
                }
                case F16 -> {
                    le.clear();
                    for (int i = 0; i < rowLength; i++) {
                        le.putShort(Float.floatToFloat16(data[i]));
                    }
                }
                case Q8_0 -> GgmlQuant.quantizeQ8_0(data, 0, rowLength, row, 0);
                case Q4_0 -> GgmlQuant.quantizeQ4_0(data, 0, rowLength, row, 0);
                default -> throw new IllegalStateException(type.toString());
            }
            out.write(row);
        }
    }

    private static void writeSegment(OutputStream out, MemorySegment bytes) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (long start = 0; start < bytes.byteSize(); start += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes.byteSize() - start);
            MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, start, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Little-endian primitives and GGUF values onto a stream. */
    private record Le(OutputStream out) {

        void i8(int v) throws IOException {
            out.write(v);
        }

        void i16(int v) throws IOException {
            out.write(v);
            out.write(v >>> 8);
        }

        void i32(int v) throws IOException {
            i16(v);
            i16(v >>> 16);
        }

        void i64(long v) throws IOException {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void string(String s) throws IOException {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            i64(utf8.length);
            out.write(utf8);
        }

        void value(GgufValue v) throws IOException {
            if (v.type() == GgufValueType.ARRAY) {
                array(v);
            } else {
                scalar(v.type(), v.value());
            }
        }

        void scalar(GgufValueType type, Object value) throws IOException {
            switch (type) {
                case UINT8, INT8 -> i8((int) (long) (Long) value);
                case UINT16, INT16 -> i16((int) (long) (Long) value);
                case UINT32, INT32 -> i32((int) (long) (Long) value);
                case UINT64, INT64 -> i64((Long) value);
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) value));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) value));
                case BOOL -> i8((Boolean) value ? 1 : 0);
                case STRING -> string((String) value);
                case ARRAY -> array((GgufValue) value);
            }
        }

        void array(GgufValue v) throws IOException {
            i32(v.elementType().id());
            i64(v.length());
            switch (v.elementType()) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                    for (long x : (long[]) v.value()) {
                        scalar(v.elementType(), x);
                    }
                }
                case FLOAT32 -> {
                    for (float x : (float[]) v.value()) {
                        i32(Float.floatToRawIntBits(x));
                    }
                }
                case FLOAT64 -> {
                    for (double x : (double[]) v.value()) {
                        i64(Double.doubleToRawLongBits(x));
                    }
                }
                case BOOL -> {
                    for (boolean x : (boolean[]) v.value()) {
                        i8(x ? 1 : 0);
                    }
                }
                case STRING -> {
                    for (String x : (String[]) v.value()) {
                        string(x);
                    }
                }
                case ARRAY -> {
                    for (GgufValue x : (GgufValue[]) v.value()) {
                        array(x);
                    }
                }
            }
        }
    }
}
