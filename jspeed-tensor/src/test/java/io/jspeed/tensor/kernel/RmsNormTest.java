package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RmsNormTest {

    static final float EPS = 1e-6f;

    static double[] naive(double[] in, int inOff, double[] w, int wOff, int rows, int dim) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += in[inOff + r * dim + i] * in[inOff + r * dim + i];
            double s = 1 / Math.sqrt(ss / dim + EPS);
            for (int i = 0; i < dim; i++) out[r * dim + i] = in[inOff + r * dim + i] * s * w[wOff + i];
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void forwardMatchesNaive(Parallel p) {
        for (int[] shape : new int[][] {{5, 37}, {1, 1}, {3, 16}, {300, 37}, {40, 768}}) {
            int rows = shape[0], dim = shape[1], off = 3;
            float[] in = random(1, off + rows * dim, 2f), w = random(2, off + dim, 1f);
            float[] out = new float[off + rows * dim], rstd = new float[off + rows];
            RmsNorm.forward(p, out, off, rstd, off, in, off, w, off, rows, dim, EPS);
            assertClose("out", out, off, naive(toDouble(in), off, toDouble(w), off, rows, dim), 0, rows * dim, 2e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardMatchesFiniteDifferencesAndAccumulates(Parallel p) {
        for (int dim : new int[] {37, 16, 3}) {
            int rows = 5, off = 2;
            float[] in = random(4, off + rows * dim, 1.5f), w = random(5, off + dim, 1f), dOut = random(7, rows * dim, 1f);
            float[] out = new float[rows * dim], rstd = new float[off + rows];
            RmsNorm.forward(p, out, 0, rstd, off, in, off, w, off, rows, dim, EPS);

            double[] x = toDouble(in), wd = toDouble(w), g = toDouble(dOut);
            double[] gx = numericGradient(x, xx -> dot(g, naive(xx, off, wd, off, rows, dim)));
            double[] gw = numericGradient(wd, ww -> dot(g, naive(x, off, ww, off, rows, dim)));

            float[] dIn = random(8, in.length, 1f), dW = random(9, w.length, 1f);
            float[] dIn0 = dIn.clone(), dW0 = dW.clone();
            for (int rep = 0; rep < 2; rep++) {
                RmsNorm.backward(p, dIn, off, dW, off, dOut, 0, in, off, w, off, rstd, off, rows, dim);
            }
            assertClose("dIn", dIn, initialPlusTwice(dIn0, gx), 1e-3);
            assertClose("dW", dW, initialPlusTwice(dW0, gw), 1e-3);
        }
    }
}
