package io.jspeed.infer.weights;

import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * A format that is one ggml type: rows of {@code type.byteSize(cols)} bytes, named as ggml names the type, and
 * {@link #row} decoded by {@link GgmlQuant}, the scalar reference the subclasses' vector code must agree with.
 * Subclasses keep their own dot and decodeRow; only what is not per element lives here.
 */
abstract class GgmlMatrix extends RowMatrix {

    private final GgmlType type;

    GgmlMatrix(GgmlType type, int rows, int cols, MemorySegment data) {
        super(rows, cols, data, type.byteSize(cols));
        this.type = type;
    }

    @Override
    public final String format() {
        return type.name();
    }

    @Override
    public void row(int r, float[] dst, int off) {
        dequantize(r * rowBytes, dst, off, cols);
    }

    /** n values from byte offset {@code at} into dst[off, off + n), by the reference decoder. */
    final void dequantize(long at, float[] dst, int off, int n) {
        GgmlQuant.dequantize(type, data, at, dst, off, n);
    }

    /**
     * sum plus x[xOff + c, xOff + cols) . the row's values from column c on, whose bytes start at {@code at}: the
     * columns a vector loop leaves over, added one by one in order.
     */
    final float addTail(float sum, long at, int c, float[] x, int xOff) {
        float[] tail = new float[cols - c];
        dequantize(at, tail, 0, tail.length);
        for (int i = 0; i < tail.length; i++) {
            sum += tail[i] * x[xOff + c + i];
        }
        return sum;
    }
}
