package io.jspeed.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class SimdTest {

    @Test
    void vectorExpIsAccurateOverTheFloatRange() {
        int lanes = Simd.L;
        float[] x = new float[lanes], y = new float[lanes];
        double worst = 0;
        for (float start = -87f; start < 88f; start += lanes * 0.00731f) {
            for (int i = 0; i < lanes; i++) x[i] = start + i * 0.00731f;
            Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
            for (int i = 0; i < lanes; i++) {
                if (x[i] > 88f) continue;
                double want = Math.exp(x[i]);
                worst = Math.max(worst, Math.abs(y[i] - want) / want);
            }
        }
        assertThat(worst).isLessThan(4e-7);
    }

    @Test
    void vectorExpSaturates() {
        float[] x = new float[Simd.L], y = new float[Simd.L];
        x[0] = -1000f;
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = 0f;
        x[3] = -88f;
        Simd.exp(FloatVector.fromArray(Simd.F, x, 0)).intoArray(y, 0);
        assertThat(y[0]).isZero();
        assertThat(y[1]).isZero();
        assertThat(y[2]).isEqualTo(1f);
        assertThat(y[3]).isZero();
    }

    @Test
    void maxMatchesALoopAtEveryLengthAndOffset() {
        float[] x = Check.random(11, 200, 5f);
        for (int i = 0; i < x.length; i++) x[i] -= 20f;  // all negative, so a max that let a zero in would fail
        x[97] = 3f;
        for (int off : new int[] {0, 3}) {
            for (int n = 1; n <= 150; n++) {
                float want = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) want = Math.max(want, x[off + i]);
                assertThat(Simd.max(x, off, n)).as("n=%d off=%d", n, off).isEqualTo(want);
            }
        }
    }
}
