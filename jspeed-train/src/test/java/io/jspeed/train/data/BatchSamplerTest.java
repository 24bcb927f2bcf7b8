package io.jspeed.train.data;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchSamplerTest {

    private static final int[] STREAM = IntStream.range(0, 1000).toArray();

    @Test
    void targetsAreTheNextTokensOfContiguousWindows() {
        BatchSampler.Batch b = new BatchSampler(STREAM, 3, 16, 5, "train").batch(4, 1);
        for (int row = 0; row < 3; row++) {
            for (int t = 0; t < 16; t++) {
                int i = row * 16 + t;
                assertThat(b.targets()[i]).isEqualTo(b.tokens()[i] + 1);
                if (t > 0) assertThat(b.tokens()[i]).isEqualTo(b.tokens()[i - 1] + 1);
            }
        }
    }

    @Test
    void aBatchIsAFunctionOfSeedStepAndMicroBatch() {
        BatchSampler s = new BatchSampler(STREAM, 4, 8, 5, "train");
        assertThat(s.batch(10, 0).tokens()).isEqualTo(new BatchSampler(STREAM, 4, 8, 5, "train").batch(10, 0).tokens());
        assertThat(s.batch(10, 0).tokens()).isNotEqualTo(s.batch(11, 0).tokens());
        assertThat(s.batch(10, 0).tokens()).isNotEqualTo(s.batch(10, 1).tokens());
        assertThat(s.batch(10, 0).tokens()).isNotEqualTo(new BatchSampler(STREAM, 4, 8, 6, "train").batch(10, 0).tokens());
    }

    @Test
    void tooShortAStreamIsNamed() {
        assertThatThrownBy(() -> new BatchSampler(new int[10], 1, 16, 1, "eval"))
                .hasMessageContaining("eval split has 10 tokens").hasMessageContaining("seq_len");
    }
}
