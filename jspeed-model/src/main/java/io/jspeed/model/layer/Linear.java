package io.jspeed.model.layer;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Bias;
import io.jspeed.tensor.kernel.GemmBlocking;
import io.jspeed.tensor.matmul.JavaFp32Matmul;
import io.jspeed.tensor.matmul.MatmulEngine;

/**
 * y = x·W (+ b) over contiguous rows, for either weight layout; backward accumulates dW and dB. Every product goes
 * through a {@link MatmulEngine} (fp32, or bf16 operands with fp32 accumulation); the overloads without one use
 * the Java fp32 GEMM with its tuned blocking.
 */
public final class Linear {

    private static final MatmulEngine JAVA_FP32 = new JavaFp32Matmul(GemmBlocking.TUNED);

    private Linear() {}

    /** The Java fp32 GEMM with its tuned blocking: what the overloads without an engine use. */
    public static MatmulEngine fp32() {
        return JAVA_FP32;
    }

    public static void forward(Parallel p, float[] y, int yOff, float[] x, int xOff, float[] w, int wOff,
                               float[] b, int bOff, int rows, int in, int out, WeightLayout layout) {
        forward(JAVA_FP32, p, y, yOff, x, xOff, w, wOff, b, bOff, rows, in, out, layout);
    }

    public static void forward(MatmulEngine mm, Parallel p, float[] y, int yOff, float[] x, int xOff, float[] w, int wOff,
                               float[] b, int bOff, int rows, int in, int out, WeightLayout layout) {
        if (layout == WeightLayout.OUT_IN) {
            mm.matmul(p, false, true, rows, out, in, x, xOff, in, w, wOff, in, 0f, y, yOff, out);
        } else {
            mm.matmul(p, false, false, rows, out, in, x, xOff, in, w, wOff, out, 0f, y, yOff, out);
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
        backward(JAVA_FP32, p, dX, dXOff, accumulateDx, dW, dWOff, dB, dBOff, dY, dYOff, x, xOff, w, wOff, rows, in, out, layout);
    }

    /** {@link #backward(Parallel, float[], int, boolean, float[], int, float[], int, float[], int, float[], int, float[], int, int, int, int, WeightLayout)} through {@code mm}. */
    public static void backward(MatmulEngine mm, Parallel p, float[] dX, int dXOff, boolean accumulateDx, float[] dW, int dWOff,
                                float[] dB, int dBOff, float[] dY, int dYOff, float[] x, int xOff,
                                float[] w, int wOff, int rows, int in, int out, WeightLayout layout) {
        float beta = accumulateDx ? 1f : 0f;
        if (layout == WeightLayout.OUT_IN) {
            mm.matmul(p, false, false, rows, in, out, dY, dYOff, out, w, wOff, in, beta, dX, dXOff, in);
            mm.matmul(p, true, false, out, in, rows, dY, dYOff, out, x, xOff, in, 1f, dW, dWOff, in);
        } else {
            mm.matmul(p, false, true, rows, in, out, dY, dYOff, out, w, wOff, out, beta, dX, dXOff, in);
            mm.matmul(p, true, false, in, out, rows, x, xOff, in, dY, dYOff, out, 1f, dW, dWOff, out);
        }
        if (dB != null) Bias.backward(p, dB, dBOff, dY, dYOff, rows, out);
    }
}
