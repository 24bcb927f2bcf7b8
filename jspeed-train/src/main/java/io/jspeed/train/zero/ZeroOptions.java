package io.jspeed.train.zero;

/**
 * DeepSpeed's {@code zero_optimization} settings that jspeed honours, in elements (DeepSpeed counts these in
 * elements too). Stage 0: plain data parallelism; 1: optimizer states partitioned; 2: also gradients; 3: also
 * parameters.
 */
public record ZeroOptions(int stage, long reduceBucketSize, long allgatherBucketSize, boolean overlapComm,
                          boolean contiguousGradients, long prefetchBucketSize, long paramPersistenceThreshold,
                          long maxLiveParameters, long maxReuseDistance) {

    /**
     * DeepSpeed's defaults: reduce/allgather buckets 5e8, prefetch 5e7, persistence 1e5, max live 1e9, max reuse
     * distance 1e9, and overlap_comm on at stage 3 only (DeepSpeed's validator sets it to {@code stage == 3} when
     * the key is absent).
     */
    public static ZeroOptions stage(int stage) {
        return new ZeroOptions(stage, 500_000_000L, 500_000_000L, stage == 3, true, 50_000_000L, 100_000L, 1_000_000_000L,
                1_000_000_000L);
    }

    public ZeroOptions withOverlapComm(boolean overlap) {
        return new ZeroOptions(stage, reduceBucketSize, allgatherBucketSize, overlap, contiguousGradients, prefetchBucketSize,
                paramPersistenceThreshold, maxLiveParameters, maxReuseDistance);
    }

    public ZeroOptions withStage(int newStage) {
        return new ZeroOptions(newStage, reduceBucketSize, allgatherBucketSize, overlapComm, contiguousGradients, prefetchBucketSize,
                paramPersistenceThreshold, maxLiveParameters, maxReuseDistance);
    }

    public ZeroOptions {
        if (stage < 0 || stage > 3) throw new IllegalArgumentException("zero_optimization.stage=" + stage + ": expected 0, 1, 2 or 3");
    }

    public boolean partitionsOptimizer() {
        return stage >= 1;
    }

    public boolean partitionsGradients() {
        return stage >= 2;
    }

    public boolean partitionsParameters() {
        return stage >= 3;
    }

    /** Ranks a block's optimizer ownership is split over: the whole group once states are partitioned, else one. */
    public int shardRanks(int groupSize) {
        return partitionsOptimizer() ? groupSize : 1;
    }

    /** The largest collective: one bucket serves both reduce and gather, so shard ownership is the same for both. */
    public long bucketElements() {
        return Math.min(reduceBucketSize, allgatherBucketSize);
    }

    /** Whether a block of this many elements is kept as shards (stage 3, above the persistence threshold). */
    public boolean partitionsBlock(int blockSize) {
        return partitionsParameters() && blockSize >= paramPersistenceThreshold;
    }
}
