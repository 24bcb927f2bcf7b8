package io.jspeed.train.zero;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamSchedule;
import io.jspeed.tensor.FloatSlice;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AdamW;
import io.jspeed.tensor.kernel.Vectors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's side of data-parallel training with ZeRO: for each parameter block, where its parameters and
 * gradients live (replicated or partitioned, per the stage), which pieces this rank's optimizer owns, and the
 * collectives that keep the ranks consistent. A step reads: {@link #beginStep}, forward/backward of each
 * micro-batch (the model calls {@link #acquire}/{@link #release} around every block), {@link #finishGradients}
 * (reductions complete, global norm), {@link #step} (AdamW on owned pieces, then parameters published).
 * A single rank is the same engine with a group of one.
 */
public final class ZeroEngine implements ParamSchedule, AutoCloseable {

    private final ProcessGroup group;
    private final ZeroOptions options;
    private final Parallel pool;
    private final List<ParamBlock> blocks;
    private final Map<ParamBlock, Integer> index = new IdentityHashMap<>();
    private final List<BlockParams> params = new ArrayList<>();
    private final List<BlockGrads> grads = new ArrayList<>();
    private final MasterWeights master;
    private final ShardedAdamW optimizer;
    private final BufferPool buffers = new BufferPool();
    private final CommStreams streams;
    private final PendingReductions reductions = new PendingReductions(buffers);
    private final boolean prefetch;
    private final long scratchBytes;
    /**
     * Per block, the elements of the partitioned blocks used between its forward use and its backward use (the
     * blocks after it in the list): a block within stage3_max_reuse_distance stays gathered in between.
     */
    private final long[] reuseDistance;

    /**
     * Takes over the storage of model's blocks, filling each block's replica or shard from {@code initial} (the
     * same values on every rank), one block at a time.
     */
    public ZeroEngine(TransformerLM model, ProcessGroup group, ZeroOptions options, boolean bf16,
                      ShardedAdamW.Settings settings, Parallel pool, InitialValues initial) throws IOException {
        this.group = group;
        this.options = options;
        this.pool = pool;
        this.blocks = model.paramBlocks();
        int shardRanks = options.shardRanks(group.size());
        int shardRank = shardRanks > 1 ? group.rank() : 0;
        long bucket = options.bucketElements();
        List<ShardLayout> layouts = new ArrayList<>();
        int largestPiece = 0;
        for (ParamBlock b : blocks) {
            ShardLayout layout = new ShardLayout(b.size(), bucket, shardRanks, shardRank);
            layouts.add(layout);
            for (ShardLayout.Bucket k : layout.buckets()) largestPiece = Math.max(largestPiece, k.perRank());
        }
        float[] reduceScratch = shardRanks > 1 || options.partitionsGradients() ? new float[largestPiece] : null;
        this.scratchBytes = reduceScratch == null ? 0 : 4L * reduceScratch.length;
        // Background streams only pay where there is something to overlap with (more than one rank), and need a
        // backend that lets several threads run collectives at once (not MPI, whose bulk collectives block).
        this.streams = group.size() > 1 && group.supportsConcurrentGroups() ? new CommStreams(group) : null;
        CommStreams gradientStream = options.overlapComm() ? streams : null;
        this.prefetch = streams != null && options.partitionsParameters();
        for (int i = 0; i < blocks.size(); i++) {
            ParamBlock b = blocks.get(i);
            index.put(b, i);
            ShardLayout layout = layouts.get(i);
            boolean partitionParams = options.partitionsBlock(b.size());
            float[] full = partitionParams ? new float[b.size()] : b.values();
            initial.fill(i, full);
            params.add(partitionParams ? new PartitionedParams(b, layout, group, buffers, full) : new ReplicatedParams(b, layout, group));
            grads.add(options.partitionsGradients() ? new PartitionedGrads(b, layout, group, buffers, pool, reduceScratch, gradientStream, reductions)
                    : new ReplicatedGrads(b, layout, group, reduceScratch));
        }
        this.reuseDistance = new long[blocks.size()];
        for (int i = blocks.size() - 2; i >= 0; i--) {
            BlockParams after = params.get(i + 1);
            reuseDistance[i] = reuseDistance[i + 1] + (after instanceof PartitionedParams ? after.layout().paddedSize() : 0);
        }
        this.master = MasterWeights.of(bf16, params);
        this.optimizer = new ShardedAdamW(settings, layouts);
        model.useSchedule(this);
    }

    public ProcessGroup group() {
        return group;
    }

    public ZeroOptions options() {
        return options;
    }

    /** Whether gradient reduction overlaps backward and stage 3 prefetches (false on one rank and on MPI). */
    public boolean overlaps() {
        return streams != null;
    }

    /**
     * Gathers the block if it is partitioned (waiting for its prefetch if one was started), then starts gathering the
     * block that comes next in the schedule (the next in the block list going forward, the previous going backward)
     * if it is no larger than stage3_prefetch_bucket_size and keeps the gathered total within
     * stage3_max_live_parameters.
     */
    @Override
    public void acquire(ParamBlock block, boolean withGrads) {
        int i = indexOf(block);
        params.get(i).acquire();
        if (withGrads) grads.get(i).acquire();
        int next = withGrads ? i - 1 : i + 1;
        if (prefetch && next >= 0 && next < params.size() && params.get(next) instanceof PartitionedParams p
                && p.layout().paddedSize() <= options.prefetchBucketSize()
                && liveElements() + p.layout().paddedSize() <= options.maxLiveParameters()) {
            p.prefetch(streams.prefetch());
        }
    }

    private long liveElements() {
        long n = 0;
        for (BlockParams p : params) if (p instanceof PartitionedParams pp) n += pp.liveElements();
        return n;
    }

    @Override
    public void release(ParamBlock block, boolean withGrads) {
        int i = indexOf(block);
        if (withGrads) grads.get(i).release();
        // a forward use is followed by this block's backward use; a backward use by the next step's forward
        boolean keep = !withGrads && reuseDistance[i] <= options.maxReuseDistance() && liveElements() <= options.maxLiveParameters();
        if (keep) params.get(i).releaseKeepingGathered();
        else params.get(i).release();
    }

    /** Before the first micro-batch of a step. */
    public void beginStep() {
        for (BlockGrads g : grads) g.beginStep();
    }

    /**
     * After the last micro-batch: completes the gradient reductions and returns the global L2 norm of the summed
     * gradients (each rank sums the squares of what it owns; the partial sums are all-reduced).
     */
    public double finishGradients() {
        reductions.awaitAll();
        for (BlockGrads g : grads) g.finishStep();
        double[] sum = {0};
        for (int i = 0; i < blocks.size(); i++) {
            for (ShardLayout.Piece p : params.get(i).layout().pieces()) {
                FloatSlice g = grads.get(i).owned(p);
                sum[0] += Vectors.sumOfSquares(pool, g.array(), g.offset(), p.length());
            }
        }
        if (options.partitionsOptimizer() && group.size() > 1) group.allReduce(sum, 0, 1, ReduceOp.SUM);
        return Math.sqrt(sum[0]);
    }

    /** AdamW with learning rate lr on every owned piece, gradients multiplied by gradScale (clipping); then publish. */
    public void step(float lr, float gradScale) {
        for (BlockParams p : params) {
            // kept or prefetched full values would be stale once the shards change
            p.evict();
            if (p instanceof PartitionedParams pp) pp.cancelPrefetch();
        }
        AdamW.Hyper hyper = optimizer.nextStep(lr);
        for (int i = 0; i < blocks.size(); i++) {
            BlockParams p = params.get(i);
            optimizer.update(pool, i, blocks.get(i).views(), p.layout(), master, grads.get(i), hyper, gradScale);
            master.toWorking(i);
            p.publish();
        }
    }

    /** Sum of a value over all ranks (losses, token counts). */
    public double sumAcrossRanks(double value) {
        if (group.size() == 1) return value;
        double[] v = {value};
        group.allReduce(v, 0, 1, ReduceOp.SUM);
        return v[0];
    }

    /**
     * The pieces whose optimizer states this rank holds, with where their fp32 masters and moments are (at stage 0
     * every rank holds all of them).
     */
    public List<OwnedPiece> ownedPieces() {
        List<OwnedPiece> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            for (ShardLayout.Piece p : params.get(i).layout().pieces()) {
                out.add(new OwnedPiece(blocks.get(i), p, master.master(i, p),
                        new FloatSlice(optimizer.firstMoment(i), p.shardOffset()), new FloatSlice(optimizer.secondMoment(i), p.shardOffset())));
            }
        }
        return out;
    }

    /** The pieces this rank writes into a checkpoint: its own shard, or everything on rank 0 when states are replicated. */
    public List<OwnedPiece> piecesToSave() {
        return options.partitionsOptimizer() || group.rank() == 0 ? ownedPieces() : List.of();
    }

    /** A run of a block's flat range this rank owns: its fp32 master values and its two AdamW moments. */
    public record OwnedPiece(ParamBlock block, ShardLayout.Piece piece, FloatSlice master, FloatSlice exp, FloatSlice expSq) {}

    public int optimizerSteps() {
        return optimizer.stepCount();
    }

    /** Sets AdamW's update count after the moments were loaded into {@link #ownedPieces()}. */
    public void restoreOptimizerSteps(int steps) {
        optimizer.restore(steps);
    }

    /** The per-rank memory this engine holds, by kind. */
    public RankMemory memory() {
        long p = 0, g = 0;
        for (BlockParams x : params) p += x.residentBytes();
        for (BlockGrads x : grads) g += x.residentBytes();
        long opt = optimizer.residentBytes() + master.residentBytes();
        return new RankMemory(p, g, opt, buffers.heldBytes() + scratchBytes);
    }

    /** Stops the background streams (after what they have queued) and frees their communicators. */
    @Override
    public void close() {
        if (streams != null) streams.close();
    }

    private int indexOf(ParamBlock block) {
        Integer i = index.get(block);
        if (i == null) throw new IllegalArgumentException("block " + block.name() + " is not managed by this engine");
        return i;
    }
}
