package io.jspeed.infer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: temperature, then top-k, then top-p (nucleus) filtering, then a draw from
 * a seeded generator. Temperature 0 means greedy (argmax).
 */
public final class Sampler {

    private final float temperature;
    private final int topK;
    private final float topP;
    private final SplittableRandom random;

    public Sampler(float temperature, int topK, float topP, long seed) {
        if (temperature < 0) throw new IllegalArgumentException("temperature=" + temperature + ": expected >= 0");
        if (topK < 0) throw new IllegalArgumentException("top-k=" + topK + ": expected >= 0 (0 = off)");
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p=" + topP + ": expected in (0, 1]");
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public int sample(float[] logits) {
        if (temperature == 0) return argmax(logits);
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = topK > 0 ? Math.min(topK, v) : v;
        double max = logits[order[0]];
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += probs[i];
        }
        // Nucleus: the smallest prefix of the sorted distribution whose mass reaches topP.
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[i] / sum;
            if (cumulative >= topP) {
                nucleus = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) mass += probs[i];
        double u = random.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            u -= probs[i];
            if (u <= 0) return order[i];
        }
        return order[nucleus - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
