package io.jspeed.train.zero;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.FloatSlice;

import java.util.Arrays;

/**
 * Every rank holds the block's full values (ZeRO stages 0-2, and blocks below the stage-3 persistence threshold).
 * When ranks update only their own pieces, {@link #publish} all-gathers them, bucket by bucket.
 */
final class ReplicatedParams implements BlockParams {

    private final ShardLayout layout;
    private final ProcessGroup group;
    private final float[] values;
    private final float[] send;

    ReplicatedParams(ParamBlock block, ShardLayout layout, ProcessGroup group) {
        this.layout = layout;
        this.group = group;
        float[] current = block.values();
        this.values = current.length >= layout.paddedSize() ? current : Arrays.copyOf(current, layout.paddedSize());
        block.attachValues(values);
        int largest = 0;
        for (ShardLayout.Bucket b : layout.buckets()) largest = Math.max(largest, b.perRank());
        this.send = layout.ranks() > 1 ? new float[largest] : null;
    }

    @Override
    public ShardLayout layout() {
        return layout;
    }

    @Override
    public void acquire() {}

    @Override
    public void release() {}

    @Override
    public FloatSlice owned(ShardLayout.Piece piece) {
        return new FloatSlice(values, piece.fullOffset());
    }

    @Override
    public void publish() {
        if (layout.ranks() == 1) return;
        int rank = layout.rank();
        for (ShardLayout.Bucket b : layout.buckets()) {
            int start = b.fullOffset() + rank * b.perRank();
            int mine = Math.max(0, Math.min(b.perRank(), layout.size() - start));
            if (mine > 0) System.arraycopy(values, start, send, 0, mine);
            Arrays.fill(send, Math.max(mine, 0), b.perRank(), 0f);
            group.allGather(send, 0, values, b.fullOffset(), b.perRank());
        }
    }

    @Override
    public void roundWorkingToBf16() {
        BF16.roundInPlace(values, 0, values.length);
    }

    @Override
    public long residentBytes() {
        return 4L * values.length;
    }
}
