package io.jspeed.model.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns byte-level BPE merges. Pre-tokens are counted once, so the merge loop works on unique words weighted by
 * frequency; an index from each pair to the words holding it means a merge only revisits those words, and a heap
 * with lazy re-insertion finds the most frequent pair (ties: smallest (left, right) ids, so runs are repeatable).
 */
final class BpeTrainer {

    /** Pair keys pack two 16-bit ids, and the all-ones key marks an empty slot. */
    static final int MAX_VOCAB = (1 << 16) - 1;

    private final int[][] words;
    private final int[] wordLength;
    private final int[] wordCount;
    private final PairCounts pairs = new PairCounts();
    private final LongMinHeap heap = new LongMinHeap(1 << 16);
    private final List<byte[]> tokens = new ArrayList<>();
    private final ByteKeyIndex tokenIds = new ByteKeyIndex();
    private final List<int[]> merges = new ArrayList<>();
    private final List<Integer> grownPairs = new ArrayList<>();

    private BpeTrainer(Map<String, int[]> wordCounts) {
        int w = 0;
        words = new int[wordCounts.size()][];
        wordLength = new int[words.length];
        wordCount = new int[words.length];
        // Sorted so the word order, and with it every tie inside the loop, is independent of hashing.
        List<String> sorted = new ArrayList<>(wordCounts.keySet());
        sorted.sort(null);
        for (String word : sorted) {
            byte[] bytes = word.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
            words[w] = ids;
            wordLength[w] = ids.length;
            wordCount[w] = wordCounts.get(word)[0];
            w++;
        }
        for (int b = 0; b < 256; b++) {
            byte[] single = {(byte) b};
            tokens.add(single);
            tokenIds.put(single, b);
        }
    }

    static BpeTokenizer train(List<String> texts, int vocabSize) {
        if (vocabSize < 256 || vocabSize > MAX_VOCAB) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " outside [256, " + MAX_VOCAB + "]");
        }
        Map<String, int[]> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (int start = 0; start < text.length(); ) {
                int end = Gpt2PreTokenizer.tokenEnd(text, start);
                wordCounts.computeIfAbsent(text.substring(start, end), k -> new int[1])[0]++;
                start = end;
            }
        }
        BpeTrainer trainer = new BpeTrainer(wordCounts);
        trainer.run(vocabSize);
        return new BpeTokenizer(trainer.tokens.toArray(new byte[0][]), trainer.merges, "trained BPE");
    }

    private void run(int vocabSize) {
        for (int w = 0; w < words.length; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < wordLength[w]; i++) {
                int key = pairKey(s[i], s[i + 1]);
                pairs.add(key, wordCount[w]);
                pairs.addWord(key, w);
            }
        }
        pairs.forEachPair((key, count) -> heap.push(heapEntry(count, key)));
        while (tokens.size() < vocabSize && !heap.isEmpty()) {
            long entry = heap.pop();
            int key = (int) entry;
            long stored = Integer.MAX_VALUE - (entry >>> 32);
            long actual = pairs.count(key);
            if (actual != stored) {
                if (actual > 0) heap.push(heapEntry(actual, key)); // counts of old pairs only fall, so re-queue
                continue;
            }
            merge(key >>> 16, key & 0xFFFF);
        }
    }

    private void merge(int a, int b) {
        byte[] joined = BpeTokenizer.concat(tokens.get(a), tokens.get(b));
        int z = tokenIds.idOf(joined);
        if (z < 0) { // two different merges may spell the same bytes; they share one token
            z = tokens.size();
            tokens.add(joined);
            tokenIds.put(joined, z);
        }
        merges.add(new int[] {a, b});
        grownPairs.clear();
        int[] holders = pairs.words(pairKey(a, b));
        for (int w : holders) mergeInWord(w, a, b, z);
        // Only pairs that contain z can have grown; everything else kept its heap entry or fell (lazy).
        for (int key : grownPairs) {
            long count = pairs.count(key);
            if (count > 0) heap.push(heapEntry(count, key));
        }
    }

    private void mergeInWord(int w, int a, int b, int z) {
        int[] s = words[w];
        int n = wordLength[w];
        int first = -1;
        for (int i = 0; i + 1 < n; i++) {
            if (s[i] == a && s[i + 1] == b) {
                first = i;
                break;
            }
        }
        if (first < 0) return; // the index keeps words whose pair an earlier merge already consumed
        int c = wordCount[w];
        // Pairs left of the first occurrence cannot change except the one touching it; start there.
        int from = Math.max(0, first - 1);
        for (int i = from; i + 1 < n; i++) pairs.add(pairKey(s[i], s[i + 1]), -c);
        int r = first;
        for (int i = first; i < n; ) {
            if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                s[r++] = z;
                i += 2;
            } else {
                s[r++] = s[i++];
            }
        }
        wordLength[w] = r;
        for (int i = from; i + 1 < r; i++) {
            int key = pairKey(s[i], s[i + 1]);
            if (pairs.add(key, c) && (s[i] == z || s[i + 1] == z)) grownPairs.add(key);
            if (s[i] == z || s[i + 1] == z) pairs.addWord(key, w);
        }
    }

    private static int pairKey(int a, int b) {
        return a << 16 | b;
    }

    private static long heapEntry(long count, int key) {
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("pair count " + count + " exceeds 2^31");
        return (Integer.MAX_VALUE - count) << 32 | (key & 0xFFFFFFFFL);
    }

    /** Open-addressing table from pair key to its weighted count and the words that hold it. */
    static final class PairCounts {
        private static final long EMPTY = -1L;

        interface PairVisitor {
            void visit(int key, long count);
        }

        private long[] keys = new long[1 << 12];
        private long[] counts = new long[keys.length];
        private int[][] holders = new int[keys.length][];
        private int[] holderCount = new int[keys.length];
        private int[] pushStamp = new int[keys.length];
        private int size;
        private int stamp = 1;

        PairCounts() {
            Arrays.fill(keys, EMPTY);
        }

        long count(int key) {
            int slot = find(key);
            return keys[slot] == EMPTY ? 0 : counts[slot];
        }

        /** Adds delta; returns true the first time a pair is increased since the last {@link #words} call. */
        boolean add(int key, long delta) {
            int slot = insert(key);
            counts[slot] += delta;
            if (delta > 0 && pushStamp[slot] != stamp) {
                pushStamp[slot] = stamp;
                return true;
            }
            return false;
        }

        void addWord(int key, int word) {
            int slot = insert(key);
            int[] list = holders[slot];
            int n = holderCount[slot];
            if (list == null) list = holders[slot] = new int[4];
            else if (n > 0 && list[n - 1] == word) return; // words are visited in turn, so a repeat is adjacent
            else if (n == list.length) list = holders[slot] = Arrays.copyOf(list, n * 2);
            list[n] = word;
            holderCount[slot] = n + 1;
        }

        /** A snapshot of the words that held the pair; also starts a new round for {@link #add}'s first-growth flag. */
        int[] words(int key) {
            stamp++;
            int slot = find(key);
            if (keys[slot] == EMPTY) return new int[0];
            return Arrays.copyOf(holders[slot], holderCount[slot]);
        }

        void forEachPair(PairVisitor visitor) {
            for (int slot = 0; slot < keys.length; slot++) {
                if (keys[slot] != EMPTY && counts[slot] > 0) visitor.visit((int) keys[slot], counts[slot]);
            }
        }

        private int find(int key) {
            int mask = keys.length - 1;
            int slot = (key * 0x9E3779B9 >>> 7) & mask;
            while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
            return slot;
        }

        private int insert(int key) {
            int slot = find(key);
            if (keys[slot] != EMPTY) return slot;
            if (2 * (size + 1) > keys.length) {
                grow();
                slot = find(key);
            }
            keys[slot] = key;
            size++;
            return slot;
        }

        private void grow() {
            long[] oldKeys = keys, oldCounts = counts;
            int[][] oldHolders = holders;
            int[] oldHolderCount = holderCount, oldStamp = pushStamp;
            int capacity = keys.length * 2;
            keys = new long[capacity];
            Arrays.fill(keys, EMPTY);
            counts = new long[capacity];
            holders = new int[capacity][];
            holderCount = new int[capacity];
            pushStamp = new int[capacity];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] == EMPTY) continue;
                int slot = find((int) oldKeys[i]);
                keys[slot] = oldKeys[i];
                counts[slot] = oldCounts[i];
                holders[slot] = oldHolders[i];
                holderCount[slot] = oldHolderCount[i];
                pushStamp[slot] = oldStamp[i];
            }
        }
    }
}
