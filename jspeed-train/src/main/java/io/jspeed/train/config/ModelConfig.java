package io.jspeed.train.config;

import java.util.Set;

/**
 * The shape of the transformer ({@code model.*}). {@code vocabSize} 0 means "take it from the tokenizer".
 * For {@code gpt2}, {@code nKvHead} equals {@code nHead} and {@code ropeTheta} is unused (learned positions).
 */
public record ModelConfig(String type, int vocabSize, int nLayer, int nHead, int nKvHead, int dModel, int dFf,
        int seqLen, float normEps, float ropeTheta) {

    static final Set<String> TYPES = Set.of("gpt2", "llama");

    public ModelConfig {
        if (type == null || !TYPES.contains(type)) {
            throw ConfigException.invalid("model.type", quote(type), "one of \"gpt2\", \"llama\"");
        }
        if (vocabSize < 0) {
            throw ConfigException.invalid("model.vocab_size", vocabSize, ">= 0 (0 = take it from the tokenizer)");
        }
        positive("model.n_layer", nLayer);
        positive("model.n_head", nHead);
        positive("model.n_kv_head", nKvHead);
        positive("model.d_model", dModel);
        positive("model.d_ff", dFf);
        positive("model.seq_len", seqLen);
        if (dModel % nHead != 0) {
            throw ConfigException.invalid("model.n_head", nHead, "a divisor of model.d_model (" + dModel + ")");
        }
        if (nHead % nKvHead != 0) {
            throw ConfigException.invalid("model.n_kv_head", nKvHead, "a divisor of model.n_head (" + nHead + ")");
        }
        if (type.equals("gpt2") && nKvHead != nHead) {
            throw ConfigException.invalid("model.n_kv_head", nKvHead,
                    "model.n_head (" + nHead + ") for gpt2, which has no grouped-query attention");
        }
        if (type.equals("llama") && (dModel / nHead) % 2 != 0) {
            throw ConfigException.invalid("model.n_head", nHead, "a head dimension d_model/n_head (" + dModel + "/"
                    + nHead + " = " + dModel / nHead + ") that is even, as RoPE rotates pairs");
        }
        if (!(normEps > 0) || Float.isInfinite(normEps)) {
            throw ConfigException.invalid("model.norm_eps", normEps, "a finite number > 0");
        }
        if (!(ropeTheta > 0) || Float.isInfinite(ropeTheta)) {
            throw ConfigException.invalid("model.rope_theta", ropeTheta, "a finite number > 0");
        }
    }

    /** The same model with the vocabulary the tokenizer turned out to have. */
    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(type, v, nLayer, nHead, nKvHead, dModel, dFf, seqLen, normEps, ropeTheta);
    }

    /** Width of one attention head. */
    public int headDim() {
        return dModel / nHead;
    }

    /** The feed-forward width used when {@code model.d_ff} is not given. */
    static int defaultDFf(String type, int dModel) {
        if (type.equals("llama")) {
            // SwiGLU has three matrices instead of two, so 2/3 of 4*d keeps the parameter count; 64 suits the kernels.
            int twoThirds = (8 * dModel + 2) / 3;
            return (twoThirds + 63) / 64 * 64;
        }
        return 4 * dModel;
    }

    static void positive(String key, long value) {
        if (value < 1) {
            throw ConfigException.invalid(key, value, "an integer >= 1");
        }
    }

    static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
