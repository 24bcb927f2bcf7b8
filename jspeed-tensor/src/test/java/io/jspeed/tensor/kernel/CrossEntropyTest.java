package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CrossEntropyTest {

    /** Sum over rows of logsumexp(row) - row[target], in double. */
    static double naiveLoss(double[] logits, int off, int rows, int vocab, int[] targets, int tOff) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + r * vocab + i]);
            for (int i = 0; i < vocab; i++) sum += Math.exp(logits[off + r * vocab + i] - max);
            total += Math.log(sum) + max - logits[off + r * vocab + targets[tOff + r]];
        }
        return total;
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void gradientMatchesFiniteDifferencesAndLossMatchesNaive(Parallel p) {
        for (int vocab : new int[] {37, 1, 16, 33}) {
            int rows = 5, off = 3, tOff = 1;
            int[] targets = {99, vocab - 1, 0, vocab / 2, vocab / 3, 0};
            float[] logits = random(vocab, off + rows * vocab, 3f);
            for (int i = off; i < off + vocab; i++) logits[i] += 80f;  // large logits need the max-subtraction
            double[] ld = toDouble(logits);
            double want = naiveLoss(ld, off, rows, vocab, targets, tOff);
            float gradScale = 0.2f;
            double[] grad = numericGradient(ld, x -> gradScale * naiveLoss(x, off, rows, vocab, targets, tOff));

            assertThat(CrossEntropy.loss(p, logits, off, rows, vocab, targets, tOff)).isCloseTo(want, within(1e-4 * (1 + want)));
            assertThat(logits).containsExactly(toFloat(ld));  // loss() leaves logits untouched
            double got = CrossEntropy.forwardBackward(p, logits, off, rows, vocab, targets, tOff, gradScale);
            assertThat(got).isCloseTo(want, within(1e-4 * (1 + want)));
            for (int i = 0; i < off; i++) grad[i] = ld[i];  // the prefix is not ours to touch
            assertClose("dLogits vocab=" + vocab, logits, grad, 1e-4);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void gpt2VocabularyLossMatchesNaive(Parallel p) {
        int rows = 9, vocab = 50257;
        int[] targets = {0, 50256, 123, 4000, 50000, 7, 8, 9, 10};
        float[] logits = random(5, rows * vocab, 2f);
        double want = naiveLoss(toDouble(logits), 0, rows, vocab, targets, 0);
        assertThat(CrossEntropy.loss(p, logits, 0, rows, vocab, targets, 0)).isCloseTo(want, within(1e-5 * want));
        assertThat(CrossEntropy.forwardBackward(p, logits, 0, rows, vocab, targets, 0, 1f)).isCloseTo(want, within(1e-5 * want));
        double rowSum = 0;
        for (int i = 0; i < vocab; i++) rowSum += logits[i];
        assertThat(rowSum).as("softmax minus one-hot sums to zero").isCloseTo(0, within(1e-4));
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void targetOutsideVocabularyNamesRowAndValue(Parallel p) {
        float[] logits = new float[3 * 4];
        assertThatThrownBy(() -> CrossEntropy.forwardBackward(p, logits, 0, 3, 4, new int[] {0, 1, 4}, 0, 1f))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 2").hasMessageContaining("target 4");
        assertThatThrownBy(() -> CrossEntropy.loss(p, logits, 0, 3, 4, new int[] {-1, 1, 2}, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0").hasMessageContaining("-1");
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
