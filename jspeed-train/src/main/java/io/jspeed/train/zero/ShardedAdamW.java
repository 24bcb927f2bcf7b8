package io.jspeed.train.zero;

import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.FloatSlice;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AdamW;

import java.util.List;

/**
 * AdamW over the pieces of each block this rank owns, with moments laid out like the rank's shard. A piece may
 * cut a named view anywhere (shard and bucket boundaries ignore tensor boundaries), so each piece is split at view
 * boundaries and each part decays or not as its view does.
 */
public final class ShardedAdamW {

    /** The optimizer's own settings (DeepSpeed's optimizer.params). */
    public record Settings(float beta1, float beta2, float eps, float weightDecay) {}

    private final Settings settings;
    private final float[][] firstMoment;
    private final float[][] secondMoment;
    private int step;

    ShardedAdamW(Settings settings, List<ShardLayout> layouts) {
        this.settings = settings;
        this.firstMoment = new float[layouts.size()][];
        this.secondMoment = new float[layouts.size()][];
        for (int i = 0; i < layouts.size(); i++) {
            firstMoment[i] = new float[layouts.get(i).shardSize()];
            secondMoment[i] = new float[layouts.get(i).shardSize()];
        }
    }

    /** Starts a new update (AdamW's bias correction counts updates). */
    AdamW.Hyper nextStep(float lr) {
        step++;
        return new AdamW.Hyper(lr, settings.beta1(), settings.beta2(), settings.eps(), step);
    }

    void update(Parallel pool, int block, List<ParamView> views, ShardLayout layout, MasterWeights master, BlockGrads grads,
                AdamW.Hyper hyper, float gradScale) {
        for (ShardLayout.Piece piece : layout.pieces()) {
            FloatSlice param = master.master(block, piece), grad = grads.owned(piece);
            int pieceEnd = piece.fullOffset() + piece.length();
            for (ParamView v : views) {
                int start = Math.max(piece.fullOffset(), v.offset()), end = Math.min(pieceEnd, v.offset() + v.size());
                if (start >= end) continue;
                int d = start - piece.fullOffset();
                FloatSlice moments = new FloatSlice(firstMoment[block], piece.shardOffset() + d);
                AdamW.update(pool, param.plus(d), grad.plus(d), moments, new FloatSlice(secondMoment[block], piece.shardOffset() + d),
                        end - start, hyper, v.decay() ? settings.weightDecay() : 0f, gradScale);
            }
        }
    }

    public int stepCount() {
        return step;
    }

    void restore(int stepCount) {
        step = stepCount;
    }

    float[] firstMoment(int block) {
        return firstMoment[block];
    }

    float[] secondMoment(int block) {
        return secondMoment[block];
    }

    long residentBytes() {
        long n = 0;
        for (int i = 0; i < firstMoment.length; i++) n += 4L * (firstMoment[i].length + secondMoment[i].length);
        return n;
    }
}
