package io.jspeed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark's matrices are real, finite weights of the named format, and a tiny run reports on them. */
class MatvecBenchTest {

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K", "INT8", "INT4"})
    void everyFormatBuildsAndRuns(String format) {
        WeightMatrix w = MatvecBench.matrix(format, 3, 256);
        assertThat(w.format()).startsWith(format);
        float[] row = new float[256];
        float[] x = new float[256];
        java.util.Arrays.fill(x, 1f);
        float[] y = new float[3];
        w.matvec(Parallel.serial(), x, 0, y, 0);
        for (int r = 0; r < 3; r++) {
            w.row(r, row, 0);
            double sum = 0;
            for (float v : row) {
                assertThat(v).isFinite();
                sum += v;
            }
            assertThat((double) y[r]).isCloseTo(sum, within(1e-3 + 1e-5 * Math.abs(sum)));
        }
        MatvecBench.Result result = MatvecBench.run(format, 3, 256, 2, Parallel.serial(), 0, 1);
        assertThat(result.toJson()).contains("\"format\":\"" + w.format() + "\"").contains("\"batch\":2");
    }
}
