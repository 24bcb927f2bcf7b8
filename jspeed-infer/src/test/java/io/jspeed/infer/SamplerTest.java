package io.jspeed.infer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {

    private static final float[] LOGITS = {0.1f, 2.0f, -1.0f, 1.5f, 0.0f};

    @Test
    void temperatureZeroAndTopKOneAreGreedy() {
        assertThat(new Sampler(0f, 0, 1f, 1).sample(LOGITS)).isEqualTo(1);
        for (int seed = 0; seed < 20; seed++) assertThat(new Sampler(1f, 1, 1f, seed).sample(LOGITS)).isEqualTo(1);
    }

    @Test
    void sameSeedSameTokens() {
        Sampler a = new Sampler(1f, 0, 1f, 99), b = new Sampler(1f, 0, 1f, 99);
        for (int i = 0; i < 50; i++) assertThat(a.sample(LOGITS)).isEqualTo(b.sample(LOGITS));
    }

    @Test
    void frequenciesFollowTheSoftmaxAndTopKExcludesTheTail() {
        Sampler all = new Sampler(1f, 0, 1f, 5), top2 = new Sampler(1f, 2, 1f, 5);
        int draws = 40_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < draws; i++) counts[all.sample(LOGITS)]++;
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        for (int t = 0; t < LOGITS.length; t++)
            assertThat(counts[t] / (double) draws).isCloseTo(Math.exp(LOGITS[t]) / z, org.assertj.core.data.Offset.offset(0.015));
        for (int i = 0; i < 2000; i++) assertThat(top2.sample(LOGITS)).isIn(1, 3);
    }

    @Test
    void smallTopPKeepsOnlyTheMostLikelyToken() {
        Sampler s = new Sampler(1f, 0, 0.1f, 3);
        for (int i = 0; i < 200; i++) assertThat(s.sample(LOGITS)).isEqualTo(1);
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> new Sampler(-1f, 0, 1f, 1)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(1f, 0, 0f, 1)).hasMessageContaining("top-p");
    }

    @Test
    void minPKeepsTokensAtLeastThatFractionOfTheMostLikely() {
        // probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1; min-p 0.2 keeps p >= 0.1: the first three, renormalised by 0.95
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        Sampler s = new Sampler(new Sampler.Settings(1f, 0, 1f, 0.2f, 1f, 64, 1));
        assertThat(s.candidates(logits, 0, 4)).isEqualTo(3);
        double[] expected = {0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95};
        for (int i = 0; i < 3; i++) {
            assertThat(s.candidate(i)).isEqualTo(i);
            assertThat(s.probability(i)).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6));
        }
        // at temperature 2 the ratios flatten (sqrt): 0.05 -> sqrt(0.1) = 0.316 of the top, kept by min-p 0.3
        Sampler hot = new Sampler(new Sampler.Settings(2f, 0, 1f, 0.3f, 1f, 64, 1));
        assertThat(hot.candidates(logits, 0, 4)).isEqualTo(4);
    }

    @Test
    void topPThenMinPInHuggingFaceOrder() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        // top-p 0.9 keeps 0.5+0.3+0.15 (0.95 >= 0.9); min-p 0.5 then keeps p >= 0.25: the first two
        Sampler s = new Sampler(new Sampler.Settings(1f, 0, 0.9f, 0.5f, 1f, 64, 1));
        assertThat(s.candidates(logits, 0, 4)).isEqualTo(2);
        assertThat(s.probability(0)).isCloseTo(0.5 / 0.8, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokensOnce() {
        float[] logits = {2f, 1f, -1f, 0.5f};
        int[] history = {0, 2, 2, 0};
        Sampler s = new Sampler(new Sampler.Settings(0f, 0, 1f, 0f, 4f, 64, 1));
        // token 0: 2/4 = 0.5; token 2: -1*4 = -4 (once, though seen twice); greedy now picks token 1
        assertThat(s.sample(logits, 0, 4, history, history.length)).isEqualTo(1);
        assertThat(logits).containsExactly(0.5f, 1f, -4f, 0.5f);
        // a window of 1 only looks at the last token (0)
        float[] again = {2f, 1f, -1f, 0.5f};
        new Sampler(new Sampler.Settings(0f, 0, 1f, 0f, 4f, 1, 1)).sample(again, 0, 4, history, history.length);
        assertThat(again).containsExactly(0.5f, 1f, -1f, 0.5f);
    }

    @Test
    void candidatesEqualAPlainSortAndFilter() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(8);
        for (int trial = 0; trial < 200; trial++) {
            int v = 1 + r.nextInt(300);
            float[] logits = new float[v];
            for (int i = 0; i < v; i++) logits[i] = (float) (r.nextGaussian() * 3);
            float t = 0.3f + (float) r.nextDouble() * 1.5f, topP = r.nextBoolean() ? 1f : 0.05f + (float) r.nextDouble() * 0.9f;
            float minP = r.nextBoolean() ? 0f : (float) r.nextDouble() * 0.5f;
            int topK = r.nextBoolean() ? 0 : 1 + r.nextInt(v);
            Sampler s = new Sampler(new Sampler.Settings(t, topK, topP, minP, 1f, 64, 1));
            int n = s.candidates(logits, 0, v);
            // reference: sort every id by logit (then id), temperature softmax, top-k, renormalise, top-p, min-p, renormalise
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            int k = topK > 0 ? topK : v;
            double[] p = new double[k];
            double z = 0;
            for (int i = 0; i < k; i++) z += p[i] = Math.exp((logits[order[i]] - logits[order[0]]) / t);
            int kept = k;
            double cum = 0;
            for (int i = 0; i < k && topP < 1; i++) if ((cum += p[i] / z) >= topP) { kept = i + 1; break; }
            while (kept > 1 && p[kept - 1] / p[0] < minP) kept--;
            double mass = 0;
            for (int i = 0; i < kept; i++) mass += p[i];
            assertThat(n).as("trial %d v=%d t=%s topP=%s minP=%s topK=%d cum=%s", trial, v, t, topP, minP, topK, cum).isEqualTo(kept);
            for (int i = 0; i < kept; i++) {
                assertThat(s.candidate(i)).isEqualTo(order[i]);
                assertThat(s.probability(i)).isCloseTo(p[i] / mass, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }
}
