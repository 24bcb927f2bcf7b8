package io.jspeed.infer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits, in Hugging Face's order: repetition penalty, temperature, top-k, top-p
 * (nucleus), min-p, then a draw from a seeded generator. Temperature 0 means greedy (argmax after the penalty).
 * Reuses its buffers between calls, so a sampler belongs to one sequence.
 */
public final class Sampler {

    /**
     * @param topK              keep the k most likely tokens; 0 = off
     * @param topP              keep the smallest set of most likely tokens whose mass reaches topP; 1 = off
     * @param minP              drop tokens less likely than minP times the most likely one; 0 = off
     * @param repetitionPenalty divide positive (multiply negative) logits of recently seen tokens by it; 1 = off
     * @param penaltyWindow     how many of the latest tokens the penalty looks at (llama.cpp's repeat-last-n)
     */
    public record Settings(float temperature, int topK, float topP, float minP, float repetitionPenalty, int penaltyWindow, long seed) {
        public Settings {
            if (!(temperature >= 0)) throw new IllegalArgumentException("temperature=" + temperature + ": expected >= 0");
            if (topK < 0) throw new IllegalArgumentException("top-k=" + topK + ": expected >= 0 (0 = off)");
            if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p=" + topP + ": expected in (0, 1]");
            if (!(minP >= 0 && minP < 1)) throw new IllegalArgumentException("min-p=" + minP + ": expected in [0, 1)");
            if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition penalty=" + repetitionPenalty + ": expected > 0 (1 = off)");
            if (penaltyWindow < 0) throw new IllegalArgumentException("penalty window=" + penaltyWindow + ": expected >= 0");
        }

        public static Settings greedy() {
            return new Settings(0f, 0, 1f, 0f, 1f, 64, 0);
        }
    }

    private final Settings s;
    private final SplittableRandom random;
    private int[] seenStamp = new int[0];
    private int stamp;
    private long[] keys = new long[0];
    private int[] ids = new int[0];
    private double[] probs = new double[0];

    public Sampler(Settings settings) {
        this.s = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    public Sampler(float temperature, int topK, float topP, long seed) {
        this(new Settings(temperature, topK, topP, 0f, 1f, 64, seed));
    }

    public Settings settings() {
        return s;
    }

    public int sample(float[] logits) {
        return sample(logits, 0, logits.length, null, 0);
    }

    /**
     * Samples from logits[off, off+vocab) given the sequence so far (history[0, historyLength), may be null).
     * The repetition penalty is applied in place to those logits.
     */
    public int sample(float[] logits, int off, int vocab, int[] history, int historyLength) {
        if (s.repetitionPenalty() != 1f && history != null) penalize(logits, off, vocab, history, historyLength);
        if (s.temperature() == 0) return argmax(logits, off, vocab);
        int kept = candidates(logits, off, vocab);
        double u = random.nextDouble();
        for (int i = 0; i < kept; i++) {
            u -= probs[i];
            if (u <= 0) return ids[i];
        }
        return ids[kept - 1];
    }

    /** Each distinct token among the last penaltyWindow ones is penalized once. */
    private void penalize(float[] logits, int off, int vocab, int[] history, int length) {
        if (seenStamp.length < vocab) seenStamp = new int[vocab];
        stamp++;
        float p = s.repetitionPenalty();
        for (int i = Math.max(0, length - s.penaltyWindow()); i < length; i++) {
            int t = history[i];
            if (t < 0 || t >= vocab || seenStamp[t] == stamp) continue;
            seenStamp[t] = stamp;
            float l = logits[off + t];
            logits[off + t] = l > 0 ? l / p : l * p;
        }
    }

    /**
     * Fills ids[0, n) with the surviving tokens, most likely first, and probs[0, n) with their renormalised
     * probabilities; returns n.
     */
    int candidates(float[] logits, int off, int vocab) {
        int limit = s.topK() > 0 ? Math.min(s.topK(), vocab) : vocab;
        if (keys.length < vocab) {
            keys = new long[vocab];
            ids = new int[vocab];
            probs = new double[vocab];
        }
        float max = logits[off + argmax(logits, off, vocab)];
        double t = s.temperature();
        // min-p in logit space: p_i >= minP·p_max  <=>  l_i >= l_max + T·ln(minP)
        double minPFloor = s.minP() > 0 ? max + t * Math.log(s.minP()) : Double.NEGATIVE_INFINITY;
        int n;
        double sum = 0;
        if (limit < vocab) {
            n = topK(logits, off, vocab, limit);
        } else {
            // Only the head of the distribution needs sorting. With top-p, tokens below (1-topP)/vocab of the top one
            // hold at most 1-topP of the mass together, so the nucleus never reaches them; the normaliser still
            // counts every token. Without top-p, min-p's floor is final and may filter first.
            double floor = s.topP() < 1 ? max + t * Math.log((1 - s.topP()) / vocab) : minPFloor;
            n = 0;
            for (int i = 0; i < vocab; i++) {
                float l = logits[off + i];
                if (s.topP() < 1) sum += Math.exp((l - max) / t);
                if (l >= floor) keys[n++] = descendingKey(l, i);
            }
            Arrays.sort(keys, 0, n);
        }
        boolean fullSum = sum > 0;
        for (int i = 0; i < n; i++) {
            ids[i] = (int) keys[i];
            probs[i] = Math.exp((logits[off + ids[i]] - max) / t);
            if (!fullSum) sum += probs[i];
        }
        // the top-k survivors, renormalised, then the nucleus: the shortest prefix whose mass reaches topP
        double cumulative = 0, total = 0;
        int kept = n;
        for (int i = 0; i < n && s.topP() < 1; i++) {
            cumulative += probs[i] / sum;
            if (cumulative >= s.topP()) {
                kept = i + 1;
                break;
            }
        }
        while (kept > 1 && logits[off + ids[kept - 1]] < minPFloor) kept--;
        for (int i = 0; i < kept; i++) total += probs[i];
        for (int i = 0; i < kept; i++) probs[i] /= total;
        return kept;
    }

    /** keys[0, k) = the k most likely tokens, most likely first: a bounded max-heap of keys, then a sort of k. */
    private int topK(float[] logits, int off, int vocab, int k) {
        int size = 0;
        for (int i = 0; i < vocab; i++) {
            long key = descendingKey(logits[off + i], i);
            if (size < k) {
                keys[size] = key;
                siftUp(size++);
            } else if (key < keys[0]) {
                keys[0] = key;
                siftDown(size);
            }
        }
        Arrays.sort(keys, 0, size);
        return size;
    }

    /** The heap keeps its largest key (least likely token) at the root. */
    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (keys[parent] >= keys[i]) return;
            swap(parent, i);
            i = parent;
        }
    }

    private void siftDown(int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, largest = i;
            if (l < size && keys[l] > keys[largest]) largest = l;
            if (r < size && keys[r] > keys[largest]) largest = r;
            if (largest == i) return;
            swap(i, largest);
            i = largest;
        }
    }

    private void swap(int a, int b) {
        long x = keys[a];
        keys[a] = keys[b];
        keys[b] = x;
    }

    /** Sorting these ascending orders by logit descending, then by token id. */
    private static long descendingKey(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | id;
    }

    /** The probability of candidate i after {@link #candidates} (tests). */
    double probability(int i) {
        return probs[i];
    }

    int candidate(int i) {
        return ids[i];
    }

    static int argmax(float[] logits) {
        return argmax(logits, 0, logits.length);
    }

    static int argmax(float[] logits, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }
}
