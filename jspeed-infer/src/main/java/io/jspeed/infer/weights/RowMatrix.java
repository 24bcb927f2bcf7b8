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
    /** Rows decoded together for a batch, capped so the decoded tile (TILE_FLOATS floats) stays in L2. */
    private static final int ROW_TILE = 16;
    private static final int TILE_FLOATS = 1 << 16;

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

    /** The row whose bytes start at {@code rowOffset}, decoded to fp32 into dst[off, off + cols). Formats override with vector code. */
    void decodeRow(long rowOffset, float[] dst, int off) {
        row((int) (rowOffset / rowBytes), dst, off);
    }

    @Override
    public void decodeRows(int start, int end, float[] dst, int off) {
        Objects.checkFromToIndex(start, end, rows);
        for (int r = start; r < end; r++) decodeRow(r * rowBytes, dst, off + (r - start) * cols);
    }

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
        if (batch == 1) {
            pool.forChunks(rows, chunks, (start, end) -> {
                for (int r = start; r < end; r++) {
                    out[outOff + r] = dot(r * rowBytes, x, xOff);
                }
            });
            return;
        }
        // A batch decodes each row once into fp32 and reuses it for every vector (unpacking costs more than the
        // multiply-adds). Rows go in tiles of up to ROW_TILE so that one vector, once in L1, serves the whole tile:
        // with a long batch the vectors do not fit in cache and would otherwise stream from memory once per row.
        int tile = Math.max(1, Math.min(ROW_TILE, TILE_FLOATS / Math.max(1, cols)));
        pool.forChunks(rows, chunks, (start, end) -> {
            float[] w = new float[tile * cols];
            for (int r0 = start; r0 < end; r0 += tile) {
                int n = Math.min(tile, end - r0);
                for (int i = 0; i < n; i++) {
                    decodeRow((r0 + i) * rowBytes, w, i * cols);
                }
                for (int b = 0; b < batch; b++) {
                    int xb = xOff + b * cols;
                    int ob = outOff + b * rows + r0;
                    int i = 0;
                    for (; i + 4 <= n; i += 4) {
                        Lanes.dot4(w, i * cols, cols, x, xb, cols, out, ob + i);
                    }
                    for (; i < n; i++) {
                        out[ob + i] = Lanes.dot(w, i * cols, x, xb, cols);
                    }
                }
            }
        });
    }

    @Override
    public String toString() {
        return format() + " [" + rows + ", " + cols + "]";
    }
}
