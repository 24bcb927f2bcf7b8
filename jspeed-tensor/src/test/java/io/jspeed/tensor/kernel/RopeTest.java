package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RopeTest {

    static final double THETA = 10000;

    /** Naive rotate-half RoPE over a strided buffer, angle sign given by direction. */
    static double[] naive(double[] x, int off, int rowStride, int rows, int seqLen, int heads, int headDim, int direction) {
        double[] y = x.clone();
        int half = headDim / 2;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < half; i++) {
                    double angle = direction * (r % seqLen) * Math.pow(THETA, -2.0 * i / headDim);
                    int a = off + r * rowStride + h * headDim + i, b = a + half;
                    y[a] = x[a] * Math.cos(angle) - x[b] * Math.sin(angle);
                    y[b] = x[b] * Math.cos(angle) + x[a] * Math.sin(angle);
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void matchesNaiveAndInverseUndoesIt(Parallel p) {
        for (int[] shape : new int[][] {{6, 3, 2, 10}, {5, 5, 3, 74}, {4, 4, 1, 64}, {400, 100, 2, 64}}) {
            int rows = shape[0], seqLen = shape[1], heads = shape[2], headDim = shape[3];
            int off = 4, rowStride = heads * headDim + 3;
            Rope rope = new Rope(seqLen + 2, headDim, THETA);
            float[] x = random(1, off + rows * rowStride, 1f);
            double[] original = toDouble(x);
            rope.rotate(p, x, off, rowStride, rows, seqLen, heads, false);
            assertClose("forward", x, naive(original, off, rowStride, rows, seqLen, heads, headDim, 1), 1e-5);
            rope.rotate(p, x, off, rowStride, rows, seqLen, heads, true);
            assertClose("inverse of forward", x, original, 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void inverseIsTheBackward(Parallel p) {
        int rows = 6, seqLen = 3, heads = 2, headDim = 38, off = 1, rowStride = heads * headDim;
        float[] x = random(2, off + rows * rowStride, 1f), dOut = random(3, off + rows * rowStride, 1f);
        double[] g = toDouble(dOut);
        double[] grad = numericGradient(toDouble(x), xx -> dot(g, naive(xx, off, rowStride, rows, seqLen, heads, headDim, 1)));
        new Rope(seqLen, headDim, THETA).rotate(p, dOut, off, rowStride, rows, seqLen, heads, true);
        assertClose("dx", dOut, grad, 1e-4);
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void rejectsSequencesLongerThanTheTable(Parallel p) {
        assertThatThrownBy(() -> new Rope(4, 8, THETA).rotate(p, new float[80], 0, 8, 10, 5, 1, false))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5").hasMessageContaining("4");
        assertThatThrownBy(() -> new Rope(4, 7, THETA)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7");
    }
}
