package io.jspeed.model.layer;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Bias;
import io.jspeed.tensor.kernel.Gemm;

/** y = x·W (+ b) over contiguous rows, for either weight layout; backward accumulates dW and dB. */
public final class Linear {

    private Linear() {}

    public static void forward(Parallel p, float[] y, int yOff, float[] x, int xOff, float[] w, int wOff,
                               float[] b, int bOff, int rows, int in, int out, WeightLayout layout) {
        if (layout == WeightLayout.OUT_IN) {
            Gemm.matmul(p, false, true, rows, out, in, x, xOff, in, w, wOff, in, 0f, y, yOff, out);
        } else {
            Gemm.matmul(p, false, false, rows, out, in, x, xOff, in, w, wOff, out, 0f, y, yOff, out);
        }
        if (b != null) Bias.add(p, y, yOff, rows, out, b, bOff);
    }

    /**
     * dX = dY·Wᵀ (added to dX when {@code accumulateDx}, else overwriting it), dW += the weight gradient,
     * dB += column sums of dY (skipped when dB is null).
     */
    public static void backward(Parallel p, float[] dX, int dXOff, boolean accumulateDx, float[] dW, int dWOff,
                                float[] dB, int dBOff, float[] dY, int dYOff, float[] x, int xOff,
                                float[] w, int wOff, int rows, int in, int out, WeightLayout layout) {
        float beta = accumulateDx ? 1f : 0f;
        if (layout == WeightLayout.OUT_IN) {
            Gemm.matmul(p, false, false, rows, in, out, dY, dYOff, out, w, wOff, in, beta, dX, dXOff, in);
            Gemm.matmul(p, true, false, out, in, rows, dY, dYOff, out, x, xOff, in, 1f, dW, dWOff, in);
        } else {
            Gemm.matmul(p, false, true, rows, in, out, dY, dYOff, out, w, wOff, out, beta, dX, dXOff, in);
            Gemm.matmul(p, true, false, in, out, rows, x, xOff, in, dY, dYOff, out, 1f, dW, dWOff, out);
        }
        if (dB != null) Bias.backward(p, dB, dBOff, dY, dYOff, rows, out);
    }
}
