package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VectorsTest {

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void elementwiseOpsMatchNaive(Parallel p) {
        for (int n : ActivationTest.SIZES) {
            int off = 2;
            float[] a = random(n, off + n, 1f), b = random(n + 1, off + n, 1f);
            double[] sum = new double[off + n], scaled = new double[off + n];
            for (int i = 0; i < off + n; i++) {
                sum[i] = i < off ? 0 : (double) a[i] + b[i];
                scaled[i] = i < off ? a[i] : a[i] * 0.75;
            }
            float[] out = new float[off + n];
            Vectors.add(p, out, off, a, off, b, off, n);
            assertClose("add", out, sum, 1e-6);

            float[] alias = a.clone();
            Vectors.add(p, alias, off, alias, off, b, off, n);
            assertClose("add aliased", alias, off, sum, off, n, 1e-6);

            float[] dst = a.clone();
            Vectors.addInPlace(p, dst, off, b, off, n);
            assertClose("addInPlace", dst, off, sum, off, n, 1e-6);

            float[] x = a.clone();
            Vectors.scale(p, x, off, n, 0.75f);
            assertClose("scale", x, scaled, 1e-6);

            double ss = 0;
            for (int i = off; i < off + n; i++) ss += (double) a[i] * a[i];
            assertThat(Vectors.sumOfSquares(p, a, off, n)).isCloseTo(ss, within(1e-5 * ss + 1e-12));
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void sumOfSquaresIsBitwiseIndependentOfThreadCount(Parallel p) {
        float[] a = random(7, 100_003, 1f);
        assertThat(Vectors.sumOfSquares(p, a, 1, 100_000)).isEqualTo(Vectors.sumOfSquares(Parallel.serial(), a, 1, 100_000));
    }
}
