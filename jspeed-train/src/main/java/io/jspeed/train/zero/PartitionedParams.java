package io.jspeed.train.zero;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.FloatSlice;

/**
 * ZeRO-3: a rank keeps only its shard of the block's values; the full values are all-gathered into a pooled
 * buffer when the block is acquired and the buffer is returned when the last holder releases it. Nested
 * acquisitions (GPT-2's tied embedding is held across the head and the backward) are counted.
 */
final class PartitionedParams implements BlockParams {

    private final ParamBlock block;
    private final ShardLayout layout;
    private final ProcessGroup group;
    private final BufferPool pool;
    private final float[] shard;
    private int holders;

    /** Keeps this rank's pieces of {@code full} (the block's starting values, not kept). */
    PartitionedParams(ParamBlock block, ShardLayout layout, ProcessGroup group, BufferPool pool, float[] full) {
        this.block = block;
        this.layout = layout;
        this.group = group;
        this.pool = pool;
        this.shard = new float[layout.shardSize()];
        for (ShardLayout.Piece p : layout.pieces()) System.arraycopy(full, p.fullOffset(), shard, p.shardOffset(), p.length());
        block.attachValues(null);
    }

    @Override
    public ShardLayout layout() {
        return layout;
    }

    @Override
    public void acquire() {
        if (holders++ > 0) return;
        float[] full = pool.take(layout.paddedSize(), false);
        for (ShardLayout.Bucket b : layout.buckets())
            group.allGather(shard, b.shardOffset(), full, b.fullOffset(), b.perRank());
        block.attachValues(full);
    }

    @Override
    public void release() {
        if (holders <= 0) throw new IllegalStateException("block " + block.name() + " released more often than acquired");
        if (--holders > 0) return;
        float[] full = block.values();
        block.attachValues(null);
        pool.give(full);
    }

    @Override
    public FloatSlice owned(ShardLayout.Piece piece) {
        return new FloatSlice(shard, piece.shardOffset());
    }

    @Override
    public void publish() {}

    @Override
    public void roundWorkingToBf16() {
        BF16.roundInPlace(shard, 0, shard.length);
    }

    @Override
    public long residentBytes() {
        return 4L * shard.length;
    }
}
