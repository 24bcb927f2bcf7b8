package io.jspeed.infer.model;

import io.jspeed.infer.weights.WeightMatrix;

import java.util.List;

/**
 * All weights of a loaded model. {@code positions} is the learned position table [contextLength, dModel] (GPT-2)
 * or null; {@code ropeFreqFactors} divides RoPE frequencies per pair (GGUF rope_freqs) or is null;
 * {@code head} is the token embedding itself when the head is tied.
 */
public record LmWeights(LmConfig config, WeightMatrix tokenEmbedding, float[] positions, List<LayerWeights> layers,
                        NormWeights finalNorm, WeightMatrix head, float[] ropeFreqFactors) {

    public LmWeights {
        layers = List.copyOf(layers);
        if (layers.size() != config.nLayer())
            throw new IllegalArgumentException(layers.size() + " layers of weights for a config of " + config.nLayer());
    }

    /** Bytes of weights one decoded token streams (every block and the head; one embedding row is negligible). */
    public long bytesPerToken() {
        long b = head.bytes();
        for (LayerWeights l : layers) b += l.bytes();
        return b;
    }

    /** RoPE inverse frequencies for the config, with GGUF frequency factors applied when present. */
    public double[] inverseFrequencies() {
        double[] f = config.ropeScaling().inverseFrequencies(config.ropeTheta(), config.headDim());
        if (ropeFreqFactors != null) for (int i = 0; i < f.length; i++) f[i] /= ropeFreqFactors[i];
        return f;
    }
}
