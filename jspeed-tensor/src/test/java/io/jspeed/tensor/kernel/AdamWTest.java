package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdamWTest {

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void threeStepsMatchScalarFormula(Parallel p) {
        float lr = 1e-2f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.1f, gradScale = 0.5f;
        for (int len : new int[] {37, 1, 16, 33, 20001}) {
            int off = 3, n = off + len + 2;
            float[] param = random(1, n, 1f), m = new float[n], v = new float[n];
            double[] pd = toDouble(param), md = new double[n], vd = new double[n];
            for (int step = 1; step <= 3; step++) {
                float[] grad = random(10 + step, n, 1f);
                AdamW.update(p, param, grad, m, v, off, len, lr, b1, b2, eps, wd, step, gradScale);
                for (int i = off; i < off + len; i++) {
                    double g = grad[i] * (double) gradScale;
                    pd[i] -= lr * wd * pd[i];
                    md[i] = b1 * md[i] + (1 - b1) * g;
                    vd[i] = b2 * vd[i] + (1 - b2) * g * g;
                    double mhat = md[i] / (1 - Math.pow(b1, step)), vhat = vd[i] / (1 - Math.pow(b2, step));
                    pd[i] -= lr * mhat / (Math.sqrt(vhat) + eps);
                }
                assertClose("param len=" + len + " step " + step, param, pd, 1e-5);
                assertClose("m", m, md, 1e-5);
                assertClose("v", v, vd, 1e-5);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void stepIsOneBased(Parallel p) {
        assertThatThrownBy(() -> AdamW.update(p, new float[1], new float[1], new float[1], new float[1], 0, 1,
            1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0, 1f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }
}
