package io.jspeed.infer.convert;

import io.jspeed.infer.model.RopeScaling;

/**
 * Llama 3 RoPE scaling as llama.cpp carries it, a per-pair divisor of the base frequencies (tensor rope_freqs.weight),
 * and back to the four numbers of a config.json's rope_scaling. The way back is a search: Llama 3.x files use
 * low_freq_factor 1 and high_freq_factor 4; the factor is the largest divisor and original_max_position_embeddings
 * follows from any pair in the blend region. A candidate is accepted only if it reproduces every divisor.
 */
final class RopeFreqs {

    private RopeFreqs() {}

    /** Divisors base / scaled for each rotated pair. */
    static float[] factors(RopeScaling scaling, double theta, int headDim) {
        double[] base = RopeScaling.NONE.inverseFrequencies(theta, headDim), scaled = scaling.inverseFrequencies(theta, headDim);
        float[] out = new float[base.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) (base[i] / scaled[i]);
        return out;
    }

    /**
     * The rope_scaling that gives these divisors: none when all are 1, else Llama 3's.
     *
     * @throws IllegalArgumentException when no Llama 3 scaling reproduces them
     */
    static RopeScaling fit(float[] factors, double theta, int headDim) {
        float factor = 0;
        for (float f : factors) factor = Math.max(factor, f);
        if (reproduces(RopeScaling.NONE, factors, theta, headDim)) return RopeScaling.NONE;
        double[] base = RopeScaling.NONE.inverseFrequencies(theta, headDim);
        java.util.List<RopeScaling> candidates = new java.util.ArrayList<>();
        candidates.add(RopeScaling.llama3(factor, 1, 4, 8192));
        for (int i = 0; i < factors.length; i++) {
            if (factors[i] <= 1.0001f || factors[i] >= factor * 0.9999f) continue;
            double s = (1 / factors[i] - 1 / factor) / (1 - 1 / factor), wavelen = 2 * Math.PI / base[i];
            candidates.add(RopeScaling.llama3(factor, 1, 4, (int) Math.round(wavelen * (s * 3 + 1))));
        }
        for (RopeScaling c : candidates) if (reproduces(c, factors, theta, headDim)) return c;
        throw new IllegalArgumentException("rope_freqs.weight " + java.util.Arrays.toString(factors)
                + " is not a Llama 3 rope scaling (low_freq_factor 1, high_freq_factor 4), so config.json cannot express it");
    }

    private static boolean reproduces(RopeScaling s, float[] factors, double theta, int headDim) {
        float[] f = factors(s, theta, headDim);
        for (int i = 0; i < f.length; i++) if (Math.abs(f[i] - factors[i]) > 1e-5f * factors[i]) return false;
        return true;
    }
}
