package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;

/**
 * Race-free, thread-count independent sums over rows: rows are cut into a fixed number of chunks, each chunk
 * accumulates into its own zeroed partial, and the partials are added in chunk order.
 */
final class RowPartials {

    /** Fixed so the summation order, hence the result, is the same for any number of threads. */
    static final int CHUNKS = 8;

    @FunctionalInterface
    interface RowBlock {
        /** Accumulates rows [rowStart, rowEnd) into {@code partial} (zeroed, length = width). */
        void run(int rowStart, int rowEnd, float[] partial);
    }

    private RowPartials() {}

    static float[] sum(Parallel p, int rows, int width, RowBlock block) {
        int chunks = Math.max(1, Math.min(CHUNKS, rows));
        float[][] partials = new float[chunks][width];
        p.forChunks(chunks, chunks, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                block.run((int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks), partials[c]);
            }
        });
        float[] total = partials[0];
        for (int c = 1; c < chunks; c++) Simd.addInPlace(total, 0, partials[c], 0, width);
        return total;
    }
}
