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

    /** dBias += column sums of dOut; split over columns so each sum runs in row order on one thread. */
    public static void backward(Parallel p, float[] dBias, int dBiasOff, float[] dOut, int dOutOff, int rows, int dim) {
        int grain = Math.max(Simd.L, Simd.GRAIN / Math.max(1, rows));
        Simd.forRange(p, dim, grain, (c0, c1) -> {
            for (int r = 0; r < rows; r++) Simd.addInPlace(dBias, dBiasOff + c0, dOut, dOutOff + r * dim + c0, c1 - c0);
        });
    }
}
