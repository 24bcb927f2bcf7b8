package io.jspeed.train.zero;

import io.jspeed.comm.CommStream;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.FloatSlice;

/**
 * ZeRO-3: a rank keeps only its shard of the block's values; the full values are all-gathered into a pooled
 * buffer when the block is acquired and the buffer is returned when the last holder releases it. Nested
 * acquisitions (GPT-2's tied embedding is held across the head and the backward) are counted. A gather may be
 * started ahead on the prefetch stream ({@link #prefetch}); acquire then only waits for it.
 */
final class PartitionedParams implements BlockParams {

    private final ParamBlock block;
    private final ShardLayout layout;
    private final ProcessGroup group;
    private final BufferPool pool;
    private final float[] shard;
    private int holders;
    /** Gathered values kept after the last release, for a use within the reuse distance. */
    private boolean kept;
    private CommStream.Pending prefetched;
    private float[] prefetchBuffer;

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
        if (kept) {
            kept = false;
            return;
        }
        float[] full;
        if (prefetched != null) {
            prefetched.await();
            full = prefetchBuffer;
            prefetched = null;
            prefetchBuffer = null;
        } else {
            full = pool.take(layout.paddedSize(), false);
            gather(group, full);
        }
        block.attachValues(full);
    }

    /** Elements this block holds in full right now (gathered or being prefetched). */
    long liveElements() {
        return holders > 0 || kept || prefetched != null ? layout.paddedSize() : 0;
    }

    /** Starts gathering this block on the stream unless it is held or already on its way. */
    void prefetch(CommStream stream) {
        if (holders > 0 || kept || prefetched != null) return;
        float[] full = pool.take(layout.paddedSize(), false);
        prefetchBuffer = full;
        prefetched = stream.submit("allGather of " + block.name(), g -> gather(g, full));
    }

    /** Drops a prefetch that was not used (its values would be stale after an optimizer step). */
    void cancelPrefetch() {
        if (prefetched == null) return;
        prefetched.await();
        pool.give(prefetchBuffer);
        prefetched = null;
        prefetchBuffer = null;
    }

    private void gather(ProcessGroup g, float[] full) {
        for (ShardLayout.Bucket b : layout.buckets())
            g.allGather(shard, b.shardOffset(), full, b.fullOffset(), b.perRank());
    }

    @Override
    public void release() {
        if (lastHolderLeaves()) drop();
    }

    @Override
    public void releaseKeepingGathered() {
        if (lastHolderLeaves()) kept = true;
    }

    @Override
    public void evict() {
        if (!kept) return;
        kept = false;
        drop();
    }

    private boolean lastHolderLeaves() {
        if (holders <= 0) throw new IllegalStateException("block " + block.name() + " released more often than acquired");
        return --holders == 0;
    }

    private void drop() {
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
