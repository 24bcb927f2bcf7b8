package io.jspeed.model.tokenizer;

import java.util.Arrays;

/**
 * The ranked merges of a BPE model and the rule that applies them to one pre-token: repeatedly merge the adjacent
 * pair of lowest rank, leftmost first, until no pair has a rank (what Hugging Face's BPE model does).
 * Immutable after construction.
 */
final class MergeTable {

    /** Short words are merged by rescanning; longer ones (long comment rules, whitespace) use a heap. */
    private static final int RESCAN_LIMIT = 48;
    private static final int NO_RANK = Integer.MAX_VALUE;

    private final int[] left;
    private final int[] right;
    private final int[] result;
    // Open addressing from the pair (left << 32 | right) to its rank; keys are never -1 because ids are >= 0.
    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    MergeTable(int[] left, int[] right, int[] result) {
        this.left = left.clone();
        this.right = right.clone();
        this.result = result.clone();
        int capacity = Integer.highestOneBit(Math.max(4, left.length * 2)) * 2;
        keys = new long[capacity];
        ranks = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, -1L);
        for (int rank = 0; rank < left.length; rank++) {
            long key = pairKey(left[rank], right[rank]);
            int slot = slotOf(key);
            if (keys[slot] == -1L) { // a repeated pair keeps its first (lowest) rank
                keys[slot] = key;
                ranks[slot] = rank;
            }
        }
    }

    int size() {
        return left.length;
    }

    int left(int rank) {
        return left[rank];
    }

    int right(int rank) {
        return right[rank];
    }

    int result(int rank) {
        return result[rank];
    }

    int rank(int a, int b) {
        long key = pairKey(a, b);
        int slot = slotOf(key);
        return keys[slot] == key ? ranks[slot] : NO_RANK;
    }

    /** Merges {@code ids[0..n)} in place and returns the new length. */
    int apply(int[] ids, int n) {
        return n <= RESCAN_LIMIT ? applyByRescan(ids, n) : applyByHeap(ids, n);
    }

    int applyByRescan(int[] ids, int n) {
        while (n > 1) {
            int best = NO_RANK, at = -1;
            for (int i = 0; i + 1 < n; i++) {
                int r = rank(ids[i], ids[i + 1]);
                if (r < best) {
                    best = r;
                    at = i;
                }
            }
            if (at < 0) break;
            ids[at] = result[best];
            System.arraycopy(ids, at + 2, ids, at + 1, n - at - 2);
            n--;
        }
        return n;
    }

    /**
     * Same result as {@link #applyByRescan} in O(n log n): symbols form a linked list, candidate pairs sit in a heap
     * keyed by (rank, position) so ties go to the leftmost; entries made stale by an earlier merge are skipped.
     */
    int applyByHeap(int[] ids, int n) {
        if (n < 2) return n;
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] gone = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongMinHeap heap = new LongMinHeap(n);
        for (int i = 0; i + 1 < n; i++) pushPair(heap, ids, i, i + 1);
        while (!heap.isEmpty()) {
            long entry = heap.pop();
            int rank = (int) (entry >>> 32);
            int pos = (int) entry;
            int nxt = next[pos];
            if (gone[pos] || nxt < 0 || ids[pos] != left[rank] || ids[nxt] != right[rank]) continue;
            ids[pos] = result[rank];
            gone[nxt] = true;
            next[pos] = next[nxt];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) pushPair(heap, ids, prev[pos], pos);
            if (next[pos] >= 0) pushPair(heap, ids, pos, next[pos]);
        }
        int w = 0;
        for (int i = 0; i >= 0; i = next[i]) ids[w++] = ids[i];
        return w;
    }

    private void pushPair(LongMinHeap heap, int[] ids, int a, int b) {
        int r = rank(ids[a], ids[b]);
        if (r != NO_RANK) heap.push((long) r << 32 | a);
    }

    private static long pairKey(int a, int b) {
        return (long) a << 32 | (b & 0xFFFFFFFFL);
    }

    private int slotOf(long key) {
        int h = (int) ((key * 0x9E3779B97F4A7C15L) >>> 32);
        int slot = h & mask;
        while (keys[slot] != -1L && keys[slot] != key) slot = (slot + 1) & mask;
        return slot;
    }
}
