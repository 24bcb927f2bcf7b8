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
}
