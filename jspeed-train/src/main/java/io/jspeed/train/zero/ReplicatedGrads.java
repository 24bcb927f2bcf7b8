package io.jspeed.train.zero;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.FloatSlice;

import java.util.Arrays;

/**
 * A full gradient buffer on every rank for the whole step (stages 0 and 1). At the end of the step it is summed
 * across ranks: all-reduced in place when every rank updates everything (stage 0), or reduce-scattered when each
 * rank updates only its pieces (stage 1), the reduced piece copied back over this rank's own part of the buffer.
 */
final class ReplicatedGrads implements BlockGrads {

    private final ShardLayout layout;
    private final ProcessGroup group;
    private final float[] full;
    private final float[] reduced;

    ReplicatedGrads(ParamBlock block, ShardLayout layout, ProcessGroup group, float[] reduceScratch) {
        this.layout = layout;
        this.group = group;
        this.full = new float[layout.paddedSize()];
        this.reduced = reduceScratch;
        block.attachGrads(full);
    }

    @Override
    public void beginStep() {
        Arrays.fill(full, 0f);
    }

    @Override
    public void acquire() {}

    @Override
    public void release() {}

    @Override
    public void finishStep() {
        if (group.size() == 1) return;
        if (layout.ranks() == 1) {
            for (ShardLayout.Bucket b : layout.buckets())
                group.allReduce(full, b.fullOffset(), Math.min(b.perRank(), layout.size() - b.fullOffset()), ReduceOp.SUM);
            return;
        }
        for (ShardLayout.Bucket b : layout.buckets()) {
            group.reduceScatter(full, b.fullOffset(), reduced, 0, b.perRank(), ReduceOp.SUM);
            System.arraycopy(reduced, 0, full, b.fullOffset() + layout.rank() * b.perRank(), b.perRank());
        }
    }

    @Override
    public FloatSlice owned(ShardLayout.Piece piece) {
        return new FloatSlice(full, piece.fullOffset());
    }

    @Override
    public long residentBytes() {
        return 4L * full.length;
    }
}
