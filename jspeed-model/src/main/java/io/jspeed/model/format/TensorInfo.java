package io.jspeed.model.format;

import io.jspeed.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives in a safetensors file: its name, element type, shape, and byte range relative to the
 * start of the data section (the byte after the header).
 */
public record TensorInfo(String name, DType dtype, long[] shape, long byteOffset, long byteLength) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the shape; the record itself stays immutable. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The product of the dimensions (1 for a scalar of shape []). */
    public long elementCount() {
        return elementCount(shape);
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && byteOffset == t.byteOffset && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), byteOffset, byteLength);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " @" + byteOffset + "+" + byteLength;
    }
}
