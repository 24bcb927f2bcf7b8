package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.Parallel;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EmbeddingTest {

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void tokensLookUpAndScatterBack(Parallel p) {
        for (int dim : new int[] {37, 1, 16, 3000}) {
            int rows = 11, vocab = 7, off = 3, tokOff = 2;
            int[] tokens = {9, 9, 3, 0, 6, 3, 3, 1, 6, 2, 5, 0, 4};  // repeats on purpose; first two skipped by tokOff
            float[] table = random(1, off + vocab * dim, 1f), out = new float[off + rows * dim];
            Embedding.forward(p, out, off, tokens, tokOff, rows, table, off, dim, vocab);
            for (int r = 0; r < rows; r++) {
                int t = tokens[tokOff + r];
                assertThat(Arrays.copyOfRange(out, off + r * dim, off + (r + 1) * dim))
                    .containsExactly(Arrays.copyOfRange(table, off + t * dim, off + (t + 1) * dim));
            }
            float[] dOut = random(2, off + rows * dim, 1f), dTable = random(3, off + vocab * dim, 1f), dTable0 = dTable.clone();
            double[] grad = new double[dTable.length];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < dim; i++) grad[off + tokens[tokOff + r] * dim + i] += dOut[off + r * dim + i];
            }
            Embedding.backward(p, dTable, off, dOut, off, tokens, tokOff, rows, dim);
            Embedding.backward(p, dTable, off, dOut, off, tokens, tokOff, rows, dim);
            assertClose("dTable", dTable, initialPlusTwice(dTable0, grad), 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void positionsAddAndScatterBack(Parallel p) {
        for (int[] shape : new int[][] {{10, 4, 37}, {12, 4, 16}, {600, 50, 37}}) {
            int rows = shape[0], seqLen = shape[1], dim = shape[2], off = 2;
            float[] out = random(1, off + rows * dim, 1f), wpe = random(2, off + seqLen * dim, 1f);
            double[] want = toDouble(out);
            for (int r = 0; r < rows; r++) for (int i = 0; i < dim; i++) want[off + r * dim + i] += wpe[off + (r % seqLen) * dim + i];
            Embedding.addPositions(p, out, off, wpe, off, rows, seqLen, dim);
            assertClose("addPositions", out, want, 1e-6);

            float[] dOut = random(3, off + rows * dim, 1f), dWpe = random(4, off + seqLen * dim, 1f), dWpe0 = dWpe.clone();
            double[] grad = new double[dWpe.length];
            for (int r = 0; r < rows; r++) for (int i = 0; i < dim; i++) grad[off + (r % seqLen) * dim + i] += dOut[off + r * dim + i];
            Embedding.positionsBackward(p, dWpe, off, dOut, off, rows, seqLen, dim);
            Embedding.positionsBackward(p, dWpe, off, dOut, off, rows, seqLen, dim);
            assertClose("dWpe", dWpe, initialPlusTwice(dWpe0, grad), 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void badTokenIsRejectedWithPositionIdAndVocab(Parallel p) {
        int[] tokens = {1, 2, 50257, 3};
        assertThatThrownBy(() -> Embedding.forward(p, new float[16], 0, tokens, 0, 4, new float[50257 * 4], 0, 4, 50257))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("50257").hasMessageContaining("position 2");
        assertThatThrownBy(() -> Embedding.forward(p, new float[16], 0, new int[] {-1}, 0, 1, new float[8], 0, 4, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
