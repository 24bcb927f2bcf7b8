package io.jspeed.infer.weights;

import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.TensorInfo;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufTensor;
import io.jspeed.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Picks the {@link WeightMatrix} implementation for a stored tensor, once, at load. Every matrix reads its bytes
 * in place (a view into the file mapping): opening a model copies nothing.
 *
 * <p>Grouped int8/int4 in safetensors (written by {@link Quantizers}, layout in docs/formats.md): the file's
 * {@code __metadata__} has {@value #QUANTIZATION_KEY} = int8 | int4 and {@value #GROUP_KEY} = the group size; a
 * quantized tensor {@code W} is I8 [rows, cols] or U8 [rows, cols / 2] with a companion {@code W.scales}, F32 or
 * F16 [rows, cols / group]. Tensors without a companion are plain F32/F16/BF16.
 */
public final class WeightFormats {

    public static final String QUANTIZATION_KEY = "jspeed.quantization";
    public static final String GROUP_KEY = "jspeed.group_size";
    public static final String SCALES_SUFFIX = ".scales";

    /** The ggml types a {@link WeightMatrix} exists for. */
    public static final List<GgmlType> GGML_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);

    private WeightFormats() {
    }

    /**
     * A [rows, cols] matrix of ggml {@code type} over {@code data} (rows * bytes-per-row bytes).
     *
     * @throws IllegalArgumentException for a type without an implementation, or sizes that do not match
     */
    public static WeightMatrix of(GgmlType type, int rows, int cols, MemorySegment data) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " rows of " + cols + " elements do not fill whole blocks of "
                    + type.blockSize());
        }
        return switch (type) {
            case F32 -> new F32Matrix(rows, cols, data);
            case F16 -> new F16Matrix(rows, cols, data);
            case BF16 -> new BF16Matrix(rows, cols, data);
            case Q8_0 -> new Q8_0Matrix(rows, cols, data);
            case Q4_0 -> new Q4_0Matrix(rows, cols, data);
            case Q4_K -> new Q4_KMatrix(rows, cols, data);
            case Q6_K -> new Q6_KMatrix(rows, cols, data);
            default -> throw new IllegalArgumentException("no weight format for ggml type " + type + "; supported: " + GGML_TYPES);
        };
    }

    /** A safetensors-style dtype (F32, F16, BF16) matrix. */
    public static WeightMatrix of(DType dtype, int rows, int cols, MemorySegment data) {
        return switch (dtype) {
            case F32 -> new F32Matrix(rows, cols, data);
            case F16 -> new F16Matrix(rows, cols, data);
            case BF16 -> new BF16Matrix(rows, cols, data);
            default -> throw new IllegalArgumentException("no weight format for dtype " + dtype + "; expected F32, F16 or BF16");
        };
    }

    /** Grouped int8: {@code weights} I8 [rows, cols], {@code scales} [rows, cols / group] fp16 or fp32. */
    public static WeightMatrix groupwiseInt8(int rows, int cols, int group, MemorySegment weights, MemorySegment scales,
            boolean f16Scales) {
        return new GroupwiseInt8(rows, cols, weights, new GroupScales(scales, f16Scales, group, cols / group));
    }

    /** Grouped int4: {@code packed} [rows, cols / 2] bytes, {@code scales} [rows, cols / group] fp16 or fp32. */
    public static WeightMatrix groupwiseInt4(int rows, int cols, int group, MemorySegment packed, MemorySegment scales,
            boolean f16Scales) {
        return new GroupwiseInt4(rows, cols, packed, new GroupScales(scales, f16Scales, group, cols / group));
    }

    /** The tensor {@code name} of a GGUF file as a matrix: cols = ne[0], rows = the product of the other dims. */
    public static WeightMatrix of(GgufFile file, String name) throws FormatException {
        GgufTensor t = file.tensor(name);
        if (t.rows() > Integer.MAX_VALUE || t.cols() > Integer.MAX_VALUE) {
            throw new FormatException(file.path(), "tensor \"" + name + "\" " + Arrays.toString(t.shape())
                    + " has more than 2^31 rows or columns; expected a weight matrix");
        }
        if (!GGML_TYPES.contains(t.type())) {
            throw new FormatException(file.path(), "tensor \"" + name + "\" is " + t.type()
                    + ", which jspeed cannot compute with; expected one of " + GGML_TYPES
                    + " (requantize the model, e.g. with llama-quantize to Q4_K_M or Q8_0)");
        }
        return of(t.type(), (int) t.rows(), (int) t.cols(), t.data());
    }

    /**
     * The 2-D tensor {@code name} of a safetensors file as a matrix: plain F32/F16/BF16, or grouped int8/int4 when
     * the file is a jspeed quantized file and {@code name + ".scales"} exists.
     */
    public static WeightMatrix of(SafetensorsFile file, String name) throws FormatException {
        TensorInfo info = tensorInfo(file, name);
        long[] shape = info.shape();
        if (shape.length != 2 || shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE / 2) {
            throw new FormatException(file.path(), "tensor \"" + name + "\" has shape " + Arrays.toString(shape)
                    + "; expected a 2-D weight matrix");
        }
        int rows = (int) shape[0];
        String scalesName = name + SCALES_SUFFIX;
        if (!file.contains(scalesName)) {
            if (info.dtype() != DType.F32 && info.dtype() != DType.F16 && info.dtype() != DType.BF16) {
                throw new FormatException(file.path(), "tensor \"" + name + "\" is " + info.dtype() + " without a \""
                        + scalesName + "\" companion; expected F32, F16, BF16 or a jspeed grouped int8/int4 tensor");
            }
            return of(info.dtype(), rows, (int) shape[1], file.segment(name));
        }
        String quantization = file.metadata().get(QUANTIZATION_KEY);
        int group = groupSize(file);
        TensorInfo scales = file.info(scalesName);
        if (scales.dtype() != DType.F32 && scales.dtype() != DType.F16) {
            throw new FormatException(file.path(), "tensor \"" + scalesName + "\" is " + scales.dtype() + "; expected F32 or F16");
        }
        boolean f16 = scales.dtype() == DType.F16;
        try {
            if ("int8".equals(quantization) && info.dtype() == DType.I8) {
                return groupwiseInt8(rows, (int) shape[1], group, file.segment(name), file.segment(scalesName), f16);
            }
            if ("int4".equals(quantization) && info.dtype() == DType.U8) {
                return groupwiseInt4(rows, (int) shape[1] * 2, group, file.segment(name), file.segment(scalesName), f16);
            }
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), "tensor \"" + name + "\": " + e.getMessage());
        }
        throw new FormatException(file.path(), "tensor \"" + name + "\" is " + info.dtype() + " with scales and "
                + QUANTIZATION_KEY + " = " + quantization + "; expected I8 with int8 or U8 with int4");
    }

    private static TensorInfo tensorInfo(SafetensorsFile file, String name) throws FormatException {
        if (!file.contains(name)) {
            try {
                file.info(name);
            } catch (IllegalArgumentException e) {
                throw new FormatException(file.path(), e.getMessage().substring(file.path().toString().length() + 2));
            }
        }
        return file.info(name);
    }

    private static int groupSize(SafetensorsFile file) throws FormatException {
        String value = file.metadata().get(GROUP_KEY);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new FormatException(file.path(), "__metadata__ \"" + GROUP_KEY + "\" is " + (value == null ? "missing" : "\"" + value + "\"")
                    + "; expected the group size as an integer");
        }
    }
}
