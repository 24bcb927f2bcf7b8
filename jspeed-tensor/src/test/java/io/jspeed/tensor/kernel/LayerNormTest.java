package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LayerNormTest {

    static final float EPS = 1e-5f;

    /** Naive double reference; returns out [rows*dim]. */
    static double[] naive(double[] in, int inOff, double[] w, int wOff, double[] b, int bOff, int rows, int dim) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double m = 0, v = 0;
            for (int i = 0; i < dim; i++) m += in[inOff + r * dim + i];
            m /= dim;
            for (int i = 0; i < dim; i++) v += Math.pow(in[inOff + r * dim + i] - m, 2);
            v /= dim;
            double s = 1 / Math.sqrt(v + EPS);
            for (int i = 0; i < dim; i++) out[r * dim + i] = (in[inOff + r * dim + i] - m) * s * w[wOff + i] + b[bOff + i];
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void forwardMatchesNaive(Parallel p) {
        for (int[] shape : new int[][] {{5, 37}, {1, 1}, {3, 16}, {4, 33}, {300, 37}, {40, 768}}) {
            int rows = shape[0], dim = shape[1], off = 3;
            float[] in = random(1, off + rows * dim, 2f);
            for (int i = off; i < in.length; i++) in[i] += 5f;  // a mean far from zero
            float[] w = random(2, off + dim, 1f), b = random(3, off + dim, 1f);
            float[] out = new float[off + rows * dim], mean = new float[off + rows], rstd = new float[off + rows];
            LayerNorm.forward(p, out, off, mean, rstd, off, in, off, w, off, b, off, rows, dim, EPS);
            assertClose("out", out, off, naive(toDouble(in), off, toDouble(w), off, toDouble(b), off, rows, dim), 0, rows * dim, 2e-5);
            assertThat(out[0]).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardMatchesFiniteDifferencesAndAccumulates(Parallel p) {
        for (int dim : new int[] {37, 16, 5}) {
            int rows = 5, off = 2;
            float[] in = random(4, off + rows * dim, 1.5f), w = random(5, off + dim, 1f), b = random(6, off + dim, 1f);
            float[] dOut = random(7, rows * dim, 1f);
            float[] out = new float[rows * dim], mean = new float[off + rows], rstd = new float[off + rows];
            LayerNorm.forward(p, out, 0, mean, rstd, off, in, off, w, off, b, off, rows, dim, EPS);

            double[] x = toDouble(in), wd = toDouble(w), bd = toDouble(b), g = toDouble(dOut);
            double[] gx = numericGradient(x, xx -> dot(g, naive(xx, off, wd, off, bd, off, rows, dim)));
            double[] gw = numericGradient(wd, ww -> dot(g, naive(x, off, ww, off, bd, off, rows, dim)));
            double[] gb = numericGradient(bd, bb -> dot(g, naive(x, off, wd, off, bb, off, rows, dim)));

            float[] dIn = random(8, in.length, 1f), dW = random(9, w.length, 1f), dB = random(10, b.length, 1f);
            float[] dIn0 = dIn.clone(), dW0 = dW.clone(), dB0 = dB.clone();
            for (int rep = 0; rep < 2; rep++) {
                LayerNorm.backward(p, dIn, off, dW, off, dB, off, dOut, 0, in, off, w, off, mean, rstd, off, rows, dim);
            }
            assertClose("dIn", dIn, initialPlusTwice(dIn0, gx), 1e-3);
            assertClose("dW", dW, initialPlusTwice(dW0, gw), 1e-3);
            assertClose("dB", dB, initialPlusTwice(dB0, gb), 1e-3);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardIsBitwiseIndependentOfThreadCount(Parallel p) {
        int rows = 61, dim = 45;
        float[] in = random(11, rows * dim, 1f), w = random(12, dim, 1f), b = random(13, dim, 1f), dOut = random(14, rows * dim, 1f);
        float[] out = new float[rows * dim], mean = new float[rows], rstd = new float[rows];
        LayerNorm.forward(p, out, 0, mean, rstd, 0, in, 0, w, 0, b, 0, rows, dim, EPS);
        float[] dW1 = new float[dim], dB1 = new float[dim], dW2 = new float[dim], dB2 = new float[dim];
        LayerNorm.backward(Parallel.serial(), new float[rows * dim], 0, dW1, 0, dB1, 0, dOut, 0, in, 0, w, 0, mean, rstd, 0, rows, dim);
        LayerNorm.backward(p, new float[rows * dim], 0, dW2, 0, dB2, 0, dOut, 0, in, 0, w, 0, mean, rstd, 0, rows, dim);
        assertThat(dW2).containsExactly(dW1);
        assertThat(dB2).containsExactly(dB1);
    }
}
