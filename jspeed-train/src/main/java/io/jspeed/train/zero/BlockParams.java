package io.jspeed.train.zero;

import io.jspeed.tensor.FloatSlice;

/**
 * Where one block's working parameter values live: replicated on every rank, or partitioned with the full values
 * gathered only while the block runs.
 */
interface BlockParams {

    ShardLayout layout();

    /** Make the block's full values available (a no-op when replicated). */
    void acquire();

    /** The use begun by {@link #acquire} is over. */
    void release();

    /**
     * The use is over but the block is needed again soon (within the reuse distance): a partitioned block keeps its
     * gathered values until {@link #evict}; a replica has nothing to keep.
     */
    default void releaseKeepingGathered() {
        release();
    }

    /** Drops values kept by {@link #releaseKeepingGathered} (before the optimizer changes the shards). */
    default void evict() {}

    /** Where the working fp32 values of an owned piece are (the optimizer or the bf16 rounding writes there). */
    FloatSlice owned(ShardLayout.Piece piece);

    /** After every rank updated its owned pieces: make the new values visible where they are needed. */
    void publish();

    /** Rounds every working value this rank holds to bf16 (a replica rounds all of it, the same on every rank). */
    void roundWorkingToBf16();

    /** Bytes held between steps (full replica or shard). */
    long residentBytes();
}
