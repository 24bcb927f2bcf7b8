package io.jspeed.train.precision;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.optim.AdamWOptimizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PrecisionPolicyTest {

    @Test
    void bf16KeepsFp32MastersAndBf16WorkingWeights() {
        try (Parallel pool = new Parallel(2)) {
            TransformerLM lm = new TransformerLM(ModelSpec.gpt2(50, 1, 2, 16, 8), pool);
            lm.initialize(1);
            List<ParamBlock> blocks = lm.paramBlocks();
            float[] before = blocks.get(1).values().clone();
            PrecisionPolicy policy = PrecisionPolicy.of(true, blocks);
            AdamWOptimizer adamw = new AdamWOptimizer(blocks, 0.9f, 0.95f, 1e-8f, 0f);
            SplittableRandom r = new SplittableRandom(2);
            int[] tokens = r.ints(16, 0, 50).toArray(), targets = r.ints(16, 0, 50).toArray();
            lm.zeroGrads();
            lm.forwardBackward(tokens, targets, 2, 8, 1f / 16);
            policy.step(pool, adamw, 1e-4f, 1f);

            float[][] masters = policy.masterValues(blocks);
            int differing = 0;
            for (int b = 0; b < blocks.size(); b++) {
                float[] working = blocks.get(b).values();
                for (int i = 0; i < working.length; i++) {
                    assertThat(working[i]).isEqualTo(BF16.toFloat(BF16.fromFloat(masters[b][i])));
                    if (working[i] != masters[b][i]) differing++;
                }
            }
            // An update of 1e-4 is below bf16 resolution for most weights: only the fp32 masters keep it.
            assertThat(differing).isGreaterThan(blocks.get(1).size() / 2);
            int moved = 0;
            for (int i = 0; i < before.length; i++) if (masters[1][i] != before[i]) moved++;
            assertThat(moved).isGreaterThan(before.length / 2);
        }
    }

    @Test
    void fp32UpdatesTheModelsOwnValues() {
        try (Parallel pool = new Parallel(1)) {
            TransformerLM lm = new TransformerLM(ModelSpec.gpt2(50, 1, 2, 16, 8), pool);
            lm.initialize(1);
            PrecisionPolicy policy = PrecisionPolicy.of(false, lm.paramBlocks());
            assertThat(policy.masterValues(lm.paramBlocks())[0]).isSameAs(lm.paramBlocks().get(0).values());
        }
    }
}
