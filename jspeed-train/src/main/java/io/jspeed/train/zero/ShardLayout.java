package io.jspeed.train.zero;

import java.util.ArrayList;
import java.util.List;

/**
 * How one parameter block is cut across the ranks of a group. The block's flat range is split into buckets of at
 * most {@code bucketElements} (a multiple of the rank count, so only the last bucket needs padding); each bucket
 * is split into equal per-rank pieces. A rank's shard is its pieces of every bucket, back to back. A collective
 * over bucket k moves {@code ranks·perRank(k)} elements starting at {@code fullOffset(k)} of a full buffer, so
 * full buffers are {@link #paddedSize()} long: the last bucket's padding lies past the block's real elements.
 */
public final class ShardLayout {

    /** Bucket k: where it starts in the full buffer, each rank's piece length, and where this rank's piece sits in its shard. */
    public record Bucket(int fullOffset, int perRank, int shardOffset) {}

    /** A run of real (unpadded) elements this rank owns: full-buffer offset, shard offset, length. */
    public record Piece(int fullOffset, int shardOffset, int length) {}

    private final int size, ranks, rank;
    private final List<Bucket> buckets = new ArrayList<>();
    private final List<Piece> pieces = new ArrayList<>();
    private final int shardSize, paddedSize;

    public ShardLayout(int size, long bucketElements, int ranks, int rank) {
        if (ranks < 1 || rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " of " + ranks);
        if (size < 0) throw new IllegalArgumentException("block size " + size);
        this.size = size;
        this.ranks = ranks;
        this.rank = rank;
        long bucket = Math.max(ranks, Math.min(bucketElements, Integer.MAX_VALUE) / ranks * ranks);
        int shard = 0, full = 0;
        for (long start = 0; start < size; start += bucket) {
            int length = (int) Math.min(bucket, size - start);
            int perRank = (length + ranks - 1) / ranks;
            buckets.add(new Bucket((int) start, perRank, shard));
            int mine = (int) Math.min(perRank, Math.max(0, length - (long) rank * perRank));
            if (mine > 0) pieces.add(new Piece((int) start + rank * perRank, shard, mine));
            shard += perRank;
            full = (int) start + ranks * perRank;
        }
        this.shardSize = shard;
        this.paddedSize = Math.max(full, size);
    }

    /** Real elements of the block. */
    public int size() {
        return size;
    }

    public int ranks() {
        return ranks;
    }

    public int rank() {
        return rank;
    }

    /** Length of this rank's shard, including the padding of the last bucket. */
    public int shardSize() {
        return shardSize;
    }

    /** Length a full buffer needs so every bucket's collective stays inside it. */
    public int paddedSize() {
        return paddedSize;
    }

    public List<Bucket> buckets() {
        return buckets;
    }

    /** The real elements this rank owns, in order. */
    public List<Piece> pieces() {
        return pieces;
    }
}
