package io.jspeed.train.precision;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.optim.AdamWOptimizer;

import java.util.List;

/**
 * Which numbers the model computes with and which the optimizer keeps. fp32: one copy, updated in place.
 * bf16: the optimizer updates fp32 master weights and the model's working weights are those rounded to bf16
 * (kernels still accumulate in fp32), so training sees bf16 weights while small updates are not lost.
 */
public sealed interface PrecisionPolicy {

    /** One optimizer update with learning rate lr and gradient scale (clipping). */
    void step(Parallel pool, AdamWOptimizer optimizer, float lr, float gradScale);

    /** The authoritative fp32 values per block: what checkpoints store. */
    float[][] masterValues(List<ParamBlock> blocks);

    static PrecisionPolicy of(boolean bf16, List<ParamBlock> blocks) {
        return bf16 ? new Bf16Weights(blocks) : new Fp32();
    }

    record Fp32() implements PrecisionPolicy {
        @Override
        public void step(Parallel pool, AdamWOptimizer optimizer, float lr, float gradScale) {
            optimizer.step(pool, lr, gradScale, null);
        }

        @Override
        public float[][] masterValues(List<ParamBlock> blocks) {
            return blocks.stream().map(ParamBlock::values).toArray(float[][]::new);
        }
    }

    /** Master weights in fp32, working weights rounded to bf16 after every update. */
    final class Bf16Weights implements PrecisionPolicy {
        private final List<ParamBlock> blocks;
        private final float[][] master;

        Bf16Weights(List<ParamBlock> blocks) {
            this.blocks = List.copyOf(blocks);
            this.master = new float[blocks.size()][];
            for (int i = 0; i < blocks.size(); i++) master[i] = blocks.get(i).values().clone();
            roundWorkingCopy();
        }

        @Override
        public void step(Parallel pool, AdamWOptimizer optimizer, float lr, float gradScale) {
            optimizer.step(pool, lr, gradScale, master);
            roundWorkingCopy();
        }

        private void roundWorkingCopy() {
            for (int i = 0; i < blocks.size(); i++) {
                float[] working = blocks.get(i).values();
                System.arraycopy(master[i], 0, working, 0, working.length);
                BF16.roundInPlace(working, 0, working.length);
            }
        }

        @Override
        public float[][] masterValues(List<ParamBlock> ignored) {
            return master;
        }
    }
}
