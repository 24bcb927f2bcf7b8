package io.jspeed.model.format.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a GGUF file: name, element type, dimensions and its bytes as a read-only view into the file's
 * mapping (no copy; invalid once the {@link GgufFile} is closed).
 *
 * <p>{@code dims} are in GGUF order, ne[0] first: ne[0] is the innermost, contiguous dimension (the columns of
 * a [out, in] weight matrix). {@link #shape} gives the row-major order safetensors and PyTorch use.
 *
 * @param fileOffset absolute byte offset of the data in the file
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long fileOffset, MemorySegment data) {

    public GgufTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Dimensions outermost first, e.g. [rows, cols] for a matrix. */
    public long[] shape() {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[dims.length - 1 - i];
        }
        return shape;
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** ne[0]: elements per row, the contiguous dimension. */
    public long cols() {
        return dims.length == 0 ? 1 : dims[0];
    }

    /** Rows when the tensor is viewed as a matrix: the product of every dimension but ne[0]. */
    public long rows() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensor t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && fileOffset == t.fileOffset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), fileOffset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape()) + " @" + fileOffset;
    }
}
