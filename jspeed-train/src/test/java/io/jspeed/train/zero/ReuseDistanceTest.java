package io.jspeed.train.zero;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.local.LocalCluster;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.tensor.Parallel;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * stage3_max_reuse_distance: a block whose backward comes within the distance keeps its gathered values from its
 * forward use, so a step gathers each block once instead of twice, with the same loss and gradients.
 */
class ReuseDistanceTest {

    private static final int BATCH = 2, SEQ = 16, STEPS = 3;

    @Test
    void keepingBlocksGatheredHalvesTheGathersAndChangesNothingElse() throws IOException {
        Run kept = run(1_000_000_000L);
        Run freed = run(0);
        assertThat(kept.losses).containsExactly(freed.losses);
        assertThat(kept.parameters).containsExactly(freed.parameters);
        // GPT-2's blocks: embeddings (tied head), 2 decoder blocks, final norm. Freed: each forward use gathers and
        // each backward use gathers again (the embeddings once more for the head); kept: one gather per block a step.
        assertThat(freed.gathers).isGreaterThan(kept.gathers);
        assertThat(kept.gathers).isEqualTo(STEPS * 4L);
    }

    @Test
    void aDistanceShorterThanTheBlocksInBetweenKeepsOnlyTheLastOnes() throws IOException {
        // the last decoder block's backward follows right after the final norm (small), the first's after a whole block
        Run some = run(2_000);
        Run all = run(1_000_000_000L);
        Run none = run(0);
        assertThat(some.gathers).isGreaterThan(all.gathers).isLessThan(none.gathers);
        assertThat(some.losses).containsExactly(none.losses);
    }

    private record Run(double[] losses, float[] parameters, long gathers) {}

    private static Run run(long reuseDistance) throws IOException {
        ModelSpec spec = ModelSpec.gpt2(64, 2, 2, 32, SEQ);
        ZeroOptions d = ZeroOptions.stage(3);
        // buckets larger than any block: one allGather call per gathered block
        ZeroOptions options = new ZeroOptions(3, 1_000_000, 1_000_000, false, true, d.prefetchBucketSize(), 0, d.maxLiveParameters(), reuseDistance);
        ProcessGroup group = LocalCluster.create(1, Duration.ofSeconds(30)).getFirst();
        try (Parallel pool = new Parallel(1)) {
            TransformerLM model = new TransformerLM(spec, pool);
            ZeroEngine engine = new ZeroEngine(model, group, options, false, new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0.1f), pool,
                    (i, dst) -> model.initializeBlock(i, 7, dst));
            SplittableRandom random = new SplittableRandom(3);
            double[] losses = new double[STEPS];
            for (int s = 0; s < STEPS; s++) {
                int[] tokens = random.ints(BATCH * SEQ, 0, 64).toArray(), targets = random.ints(BATCH * SEQ, 0, 64).toArray();
                engine.beginStep();
                losses[s] = model.forwardBackward(tokens, targets, BATCH, SEQ, 1f / (BATCH * SEQ));
                engine.finishGradients();
                engine.step(1e-2f, 1f);
            }
            float[] parameters = new float[0];
            for (var block : model.paramBlocks()) {
                engine.acquire(block, false);
                float[] v = block.values();
                float[] grown = java.util.Arrays.copyOf(parameters, parameters.length + block.size());
                System.arraycopy(v, 0, grown, parameters.length, block.size());
                parameters = grown;
                engine.release(block, false);
            }
            long gathersInSteps = group.log().snapshot().get("allGather").calls() - model.paramBlocks().size();
            return new Run(losses, parameters, gathersInSteps);
        }
    }
}
