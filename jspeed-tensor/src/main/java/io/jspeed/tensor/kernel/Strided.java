package io.jspeed.tensor.kernel;

/**
 * A row-major matrix inside a flat array: row r starts at {@code off + r * stride}. Lets attention read q, k and v
 * straight out of a packed qkv buffer (and write dq, dk, dv into one) without copies.
 */
public record Strided(float[] a, int off, int stride) {

    public Strided {
        if (a == null) throw new IllegalArgumentException("array is null");
        if (off < 0 || stride < 1) throw new IllegalArgumentException("offset " + off + " must be >= 0 and stride " + stride + " >= 1");
    }

    /** The same rows starting {@code columns} further into each row (e.g. the k part of a packed qkv row). */
    public Strided shift(int columns) {
        return new Strided(a, off + columns, stride);
    }
}
