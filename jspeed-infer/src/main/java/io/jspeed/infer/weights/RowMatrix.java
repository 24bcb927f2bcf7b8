package io.jspeed.infer.weights;

import io.jspeed.tensor.Parallel;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What every weight format shares: rows stored one after another, {@code rowBytes} each, and a dot product of one
 * stored row with an fp32 vector. Rows are split across the pool; a batch reuses each row (still in cache) for
 * every vector before moving on, so prefill streams the weights once, like decode.
 */
abstract class RowMatrix implements WeightMatrix {

    /** Below about this many weight bytes per chunk, waking another thread costs more than it saves. */
    private static final long GRAIN_BYTES = 1 << 15;

    final int rows;
    final int cols;
    final MemorySegment data;
    final long rowBytes;

    RowMatrix(int rows, int cols, MemorySegment data, long rowBytes) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("shape [" + rows + ", " + cols + "] has a negative dimension");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = Objects.requireNonNull(data, "data");
        this.rowBytes = rowBytes;
        long expected = rowBytes * rows;
        if (data.byteSize() != expected) {
            // getClass(), not format(): a subclass's fields are not set yet
            throw new IllegalArgumentException(getClass().getSimpleName() + " [" + rows + ", " + cols + "]: " + data.byteSize()
                    + " bytes; expected " + expected);
        }
    }

    /** W[row, :] . x[xOff, xOff + cols), reading the row's bytes from {@code rowOffset}. */
    abstract float dot(long rowOffset, float[] x, int xOff);

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long bytes() {
        return data.byteSize();
    }

    @Override
    public void matvec(Parallel pool, float[] x, int xOff, float[] out, int outOff) {
        matmul(pool, x, xOff, 1, out, outOff);
    }

    @Override
    public void matvecRows(float[] x, int xOff, float[] out, int outOff, int rowStart, int rowEnd) {
        Objects.checkFromToIndex(rowStart, rowEnd, rows);
        for (int r = rowStart; r < rowEnd; r++) {
            out[outOff + r] = dot(r * rowBytes, x, xOff);
        }
    }

    @Override
    public void matmul(Parallel pool, float[] x, int xOff, int batch, float[] out, int outOff) {
        Objects.checkFromIndexSize(xOff, (long) batch * cols > Integer.MAX_VALUE ? -1 : batch * cols, x.length);
        Objects.checkFromIndexSize(outOff, batch * rows, out.length);
        long chunkBytes = Math.max(1, GRAIN_BYTES / Math.max(1, (long) batch));
        int chunks = (int) Math.min(4L * pool.threads(), Math.max(1, bytes() / chunkBytes));
        pool.forChunks(rows, chunks, (start, end) -> {
            for (int r = start; r < end; r++) {
                long at = r * rowBytes;
                for (int b = 0; b < batch; b++) {
                    out[outOff + b * rows + r] = dot(at, x, xOff + b * cols);
                }
            }
        });
    }

    @Override
    public String toString() {
        return format() + " [" + rows + ", " + cols + "]";
    }
}
