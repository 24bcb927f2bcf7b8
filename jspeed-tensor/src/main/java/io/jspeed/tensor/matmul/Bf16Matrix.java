package io.jspeed.tensor.matmul;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A matrix held off-heap in bf16, rows x cols with rows contiguous: a weight converted from its fp32 master copy once
 * per optimizer step ({@link #update}) instead of once per GEMM, for the bf16 engines' weight operand.
 */
public final class Bf16Matrix implements AutoCloseable {

    private final int rows, cols;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;

    public Bf16Matrix(int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("Bf16Matrix needs rows, cols >= 1, got " + rows + "x" + cols);
        this.rows = rows;
        this.cols = cols;
        this.data = arena.allocate((long) rows * cols * Short.BYTES, 64);
    }

    /** Rounds rows x cols of {@code src} (row step {@code ld}) to bf16 into this matrix; call after each weight update. */
    public void update(Parallel pool, float[] src, int off, int ld) {
        if (ld < cols || off < 0 || (long) off + (long) (rows - 1) * ld + cols > src.length) {
            throw new IndexOutOfBoundsException("Bf16Matrix.update: " + rows + "x" + cols + " at offset " + off
                    + " with leading dimension " + ld + " does not fit an array of " + src.length + " floats");
        }
        Copies.poolFor(pool, (long) rows * cols).forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) BF16.encode(src, off + r * ld, data, (long) r * cols * Short.BYTES, cols);
        });
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    MemorySegment segment() {
        return data;
    }

    /** Row r decoded to floats at dst[dstOff..dstOff+cols). */
    void decodeRow(int r, float[] dst, int dstOff) {
        long base = (long) r * cols * Short.BYTES;
        for (int j = 0; j < cols; j++) dst[dstOff + j] = BF16.toFloat(data.get(java.lang.foreign.ValueLayout.JAVA_SHORT, base + 2L * j));
    }

    /** Checks this matrix is op(B) of a k x n product stored as transB says: [n x k] when transposed, else [k x n]. */
    void checkOperand(String engine, boolean transB, int k, int n) {
        int wantRows = transB ? n : k, wantCols = transB ? k : n;
        if (rows != wantRows || cols != wantCols) {
            throw new IllegalArgumentException(engine + ": a Bf16Matrix of " + rows + "x" + cols + " cannot be B of a product with k="
                    + k + " n=" + n + " transB=" + transB + " (needs " + wantRows + "x" + wantCols + ")");
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
