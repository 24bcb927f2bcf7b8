package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;

/** Adding a bias row to every row of [rows, dim] activations, and its gradient (column sums). */
public final class Bias {

    private Bias() {}

    /** x[r] += bias for every row r. */
    public static void add(Parallel p, float[] x, int xOff, int rows, int dim, float[] bias, int biasOff) {
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) Simd.addInPlace(x, xOff + r * dim, bias, biasOff, dim);
        });
    }

    /**
     * dBias += column sums of dOut. Rows go in fixed chunks (RowPartials), each read front to back, rather than
     * column strips walking every row at a stride: a sequential stream the prefetchers keep up with.
     */
    public static void backward(Parallel p, float[] dBias, int dBiasOff, float[] dOut, int dOutOff, int rows, int dim) {
        float[] total = RowPartials.sum(p, rows, dim, (r0, r1, part) -> {
            for (int r = r0; r < r1; r++) Simd.addInPlace(part, 0, dOut, dOutOff + r * dim, dim);
        });
        Simd.addInPlace(dBias, dBiasOff, total, 0, dim);
    }
}
