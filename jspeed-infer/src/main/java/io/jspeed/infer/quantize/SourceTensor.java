package io.jspeed.infer.quantize;

import io.jspeed.model.format.TensorInfo;
import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufTensor;
import io.jspeed.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;

/**
 * One tensor of the model being quantized, wherever it came from: its row-major shape, its stored bytes (a view
 * into the source mapping) in either a ggml type (GGUF) or a dtype (safetensors), and row-wise decoding to fp32.
 *
 * @param ggmlType set for a GGUF tensor
 * @param dtype set for a safetensors tensor
 */
record SourceTensor(String name, long[] shape, GgmlType ggmlType, DType dtype, MemorySegment bytes) {

    private static final Set<GgmlType> DECODABLE = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static SourceTensor of(GgufTensor t) {
        return new SourceTensor(t.name(), t.shape(), t.type(), null, t.data());
    }

    static SourceTensor of(TensorInfo info, MemorySegment bytes) {
        return new SourceTensor(info.name(), info.shape(), null, info.dtype(), bytes);
    }

    /** The stored type as GGUF or safetensors spells it. */
    String typeName() {
        return ggmlType != null ? ggmlType.name() : dtype.safetensorsName();
    }

    boolean isMatrix() {
        return shape.length == 2;
    }

    long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    long rows() {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Whether {@link #row} can decode this tensor's type to fp32. */
    boolean decodable() {
        return ggmlType != null ? DECODABLE.contains(ggmlType)
                : dtype == DType.F32 || dtype == DType.F16 || dtype == DType.BF16;
    }

    /** Row r (cols elements) as fp32 into dst[0, cols). */
    void row(long r, float[] dst) {
        int cols = (int) cols();
        if (ggmlType != null) {
            GgmlQuant.dequantize(ggmlType, bytes, r * ggmlType.byteSize(cols), dst, 0, cols);
            return;
        }
        long o = r * cols * dtype.byteSize();
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, FLOAT_LE, o, dst, 0, cols);
            case F16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[i] = Float.float16ToFloat(bytes.get(SHORT_LE, o + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < cols; i++) {
                    dst[i] = Float.intBitsToFloat((bytes.get(SHORT_LE, o + 2L * i) & 0xFFFF) << 16);
                }
            }
            default -> throw new IllegalStateException(name + " is " + dtype + ", not decodable");
        }
    }

    @Override
    public String toString() {
        return name + " " + typeName() + " " + Arrays.toString(shape);
    }
}
