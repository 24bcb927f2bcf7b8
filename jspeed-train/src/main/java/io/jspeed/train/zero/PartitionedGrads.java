package io.jspeed.train.zero;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.FloatSlice;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Vectors;

import java.util.Arrays;

/**
 * ZeRO-2/3 gradients: a full buffer exists only while the block's backward runs; when its gradients are final it
 * is reduce-scattered, bucket by bucket, and this rank's piece is added to the shard it keeps for the step
 * (gradient accumulation adds one reduced micro-batch after another).
 */
final class PartitionedGrads implements BlockGrads {

    private final ParamBlock block;
    private final ShardLayout layout;
    private final ProcessGroup group;
    private final BufferPool buffers;
    private final Parallel pool;
    private final float[] shard;
    private final float[] reduced;
    private int holders;
    private boolean firstMicroBatch;

    PartitionedGrads(ParamBlock block, ShardLayout layout, ProcessGroup group, BufferPool buffers, Parallel pool, float[] reduceScratch) {
        this.block = block;
        this.layout = layout;
        this.group = group;
        this.buffers = buffers;
        this.pool = pool;
        this.shard = new float[layout.shardSize()];
        this.reduced = reduceScratch;
        block.attachGrads(null);
    }

    @Override
    public void beginStep() {
        firstMicroBatch = true;
    }

    @Override
    public void acquire() {
        if (holders++ > 0) return;
        block.attachGrads(buffers.take(layout.paddedSize(), true));
    }

    @Override
    public void release() {
        if (holders <= 0) throw new IllegalStateException("gradients of block " + block.name() + " released more often than acquired");
        if (--holders > 0) return;
        float[] full = block.grads();
        for (ShardLayout.Bucket b : layout.buckets()) {
            // The first micro-batch reduces straight into the shard; later ones add theirs to it.
            if (firstMicroBatch) {
                group.reduceScatter(full, b.fullOffset(), shard, b.shardOffset(), b.perRank(), ReduceOp.SUM);
            } else {
                group.reduceScatter(full, b.fullOffset(), reduced, 0, b.perRank(), ReduceOp.SUM);
                Vectors.addInPlace(pool, shard, b.shardOffset(), reduced, 0, b.perRank());
            }
        }
        firstMicroBatch = false;
        block.attachGrads(null);
        buffers.give(full);
    }

    @Override
    public void finishStep() {
        if (firstMicroBatch) Arrays.fill(shard, 0f); // the block took no part in this step
    }

    @Override
    public FloatSlice owned(ShardLayout.Piece piece) {
        return new FloatSlice(shard, piece.shardOffset());
    }

    @Override
    public long residentBytes() {
        return 4L * shard.length;
    }
}
