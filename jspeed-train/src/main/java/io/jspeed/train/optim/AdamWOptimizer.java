package io.jspeed.train.optim;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AdamW;

import java.util.List;

/**
 * AdamW over flat parameter blocks: one moment buffer pair per block, one fused kernel call per named view
 * (views differ only in whether weight decay applies).
 */
public final class AdamWOptimizer {

    private final List<ParamBlock> blocks;
    private final float[][] firstMoment;
    private final float[][] secondMoment;
    private final float beta1, beta2, eps, weightDecay;
    private int step;

    public AdamWOptimizer(List<ParamBlock> blocks, float beta1, float beta2, float eps, float weightDecay) {
        this.blocks = List.copyOf(blocks);
        this.firstMoment = new float[blocks.size()][];
        this.secondMoment = new float[blocks.size()][];
        for (int i = 0; i < blocks.size(); i++) {
            firstMoment[i] = new float[blocks.get(i).size()];
            secondMoment[i] = new float[blocks.get(i).size()];
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /**
     * Applies one update with learning rate lr to grads multiplied by gradScale (which carries clipping).
     * {@code params} are the values to update per block (fp32 master weights), or null for the blocks' own values.
     */
    public void step(Parallel pool, float lr, float gradScale, float[][] params) {
        step++;
        for (int i = 0; i < blocks.size(); i++) {
            ParamBlock b = blocks.get(i);
            float[] values = params == null ? b.values() : params[i];
            for (ParamView v : b.views()) {
                AdamW.update(pool, values, b.grads(), firstMoment[i], secondMoment[i], v.offset(), v.size(),
                        lr, beta1, beta2, eps, v.decay() ? weightDecay : 0f, step, gradScale);
            }
        }
    }

    /** Number of updates applied so far (AdamW's bias correction uses it). */
    public int stepCount() {
        return step;
    }

    public void restore(int stepCount) {
        this.step = stepCount;
    }

    public List<ParamBlock> blocks() {
        return blocks;
    }

    public float[] firstMoment(int block) {
        return firstMoment[block];
    }

    public float[] secondMoment(int block) {
        return secondMoment[block];
    }
}
