package io.jspeed.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Recomputing each block in backward from its input gives bitwise the losses and gradients of saving everything. */
class ActivationCheckpointingTest {

    static final List<Family> FAMILIES = List.of(Family.GPT2, Family.LLAMA);

    @ParameterizedTest
    @FieldSource("FAMILIES")
    void checkpointedStepsMatchSavedActivationsBitForBit(Family family) {
        ModelSpec spec = new ModelSpec(family, 31, 3, 4, family == Family.GPT2 ? 4 : 2, 16, 24, 40, 1e-5f, 10000f);
        try (Parallel pool = new Parallel(2)) {
            TransformerLM saved = new TransformerLM(spec, pool), checkpointed = new TransformerLM(spec, pool);
            saved.initialize(5);
            checkpointed.initialize(5);
            checkpointed.setActivationCheckpointing(true);
            SplittableRandom r = new SplittableRandom(17);
            int batch = 2, seq = 21, n = batch * seq;
            for (int step = 0; step < 3; step++) {
                int[] tokens = r.ints(n, 0, 31).toArray(), targets = r.ints(n, 0, 31).toArray();
                saved.zeroGrads();
                checkpointed.zeroGrads();
                double lossSaved = saved.forwardBackward(tokens, targets, batch, seq, 1f / n);
                double lossCheckpointed = checkpointed.forwardBackward(tokens, targets, batch, seq, 1f / n);
                assertThat(lossCheckpointed).as("step %d loss", step).isEqualTo(lossSaved);
                List<ParamBlock> a = saved.paramBlocks(), b = checkpointed.paramBlocks();
                for (int i = 0; i < a.size(); i++) {
                    assertThat(b.get(i).grads()).as("step %d grads of %s", step, a.get(i).name()).containsExactly(a.get(i).grads());
                    // a plain SGD step, so the next step's forward runs on new (equal) weights
                    float[] wa = a.get(i).values(), wb = b.get(i).values(), ga = a.get(i).grads();
                    for (int j = 0; j < wa.length; j++) {
                        wa[j] -= 0.5f * ga[j];
                        wb[j] -= 0.5f * ga[j];
                    }
                }
            }
        }
    }
}
