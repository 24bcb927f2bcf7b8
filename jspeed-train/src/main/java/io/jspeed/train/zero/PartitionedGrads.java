package io.jspeed.train.zero;

import io.jspeed.comm.CommStream;
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
 * (gradient accumulation adds one reduced micro-batch after another). With overlap_comm the reduction runs on the
 * gradient stream while backward continues with the next block; the buffer returns to the pool once it is done.
 */
final class PartitionedGrads implements BlockGrads {

    private final ParamBlock block;
    private final ShardLayout layout;
    private final ProcessGroup group;
    private final BufferPool buffers;
    private final Parallel pool;
    private final float[] shard;
    private final float[] reduced;
    private final CommStreams streams;
    private final PendingReductions inFlight;
    private int holders;
    private boolean firstMicroBatch;

    /** {@code streams} null: reduce synchronously on the calling thread. */
    PartitionedGrads(ParamBlock block, ShardLayout layout, ProcessGroup group, BufferPool buffers, Parallel pool, float[] reduceScratch,
                     CommStreams streams, PendingReductions inFlight) {
        this.block = block;
        this.layout = layout;
        this.group = group;
        this.buffers = buffers;
        this.pool = pool;
        this.shard = new float[layout.shardSize()];
        this.reduced = reduceScratch;
        this.streams = streams;
        this.inFlight = inFlight;
        block.attachGrads(null);
    }

    @Override
    public void beginStep() {
        firstMicroBatch = true;
    }

    @Override
    public void acquire() {
        if (holders++ > 0) return;
        inFlight.recycleFinished();
        block.attachGrads(buffers.take(layout.paddedSize(), true));
    }

    @Override
    public void release() {
        if (holders <= 0) throw new IllegalStateException("gradients of block " + block.name() + " released more often than acquired");
        if (--holders > 0) return;
        float[] full = block.grads();
        block.attachGrads(null);
        boolean first = firstMicroBatch;
        firstMicroBatch = false;
        if (streams == null) {
            reduceInto(group, full, first, reduced, pool);
            buffers.give(full);
            return;
        }
        // With a stream every reduction runs on it, one at a time: the shared scratch and this shard see one thread, in order.
        CommStream.Pending p = streams.gradients().submit("reduceScatter of " + block.name(),
                g -> reduceInto(g, full, first, reduced, Parallel.serial()));
        inFlight.add(p, full);
    }

    private void reduceInto(ProcessGroup g, float[] full, boolean first, float[] scratch, Parallel adder) {
        for (ShardLayout.Bucket b : layout.buckets()) {
            // The first micro-batch reduces straight into the shard; later ones add theirs to it.
            if (first) {
                g.reduceScatter(full, b.fullOffset(), shard, b.shardOffset(), b.perRank(), ReduceOp.SUM);
            } else {
                g.reduceScatter(full, b.fullOffset(), scratch, 0, b.perRank(), ReduceOp.SUM);
                Vectors.addInPlace(adder, shard, b.shardOffset(), scratch, 0, b.perRank());
            }
        }
    }

    @Override
    public void finishStep() {
        inFlight.awaitAll();
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
