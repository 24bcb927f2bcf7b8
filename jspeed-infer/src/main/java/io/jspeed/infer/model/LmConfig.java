package io.jspeed.infer.model;

import io.jspeed.model.Family;

/**
 * The shape of a decoder-only language model for inference, whatever file it came from (Hugging Face config.json,
 * GGUF metadata, a jspeed checkpoint).
 *
 * @param headDim       width of one attention head (may differ from dModel/nHead, e.g. Qwen3)
 * @param contextLength positions the model was trained for (bounds the KV cache; the position table for GPT-2)
 * @param ropeTheta     RoPE base, unused with learned positions
 * @param tiedHead      the LM head is the token-embedding matrix
 */
public record LmConfig(Family family, int vocabSize, int nLayer, int nHead, int nKvHead, int dModel, int headDim, int dFf,
                       int contextLength, float normEps, double ropeTheta, RopeScaling ropeScaling, RopeLayout ropeLayout,
                       boolean tiedHead) {

    public LmConfig {
        require(vocabSize > 0, "vocab_size", vocabSize, "> 0");
        require(nLayer > 0, "num_hidden_layers", nLayer, "> 0");
        require(nHead > 0, "num_attention_heads", nHead, "> 0");
        require(nKvHead > 0 && nHead % nKvHead == 0, "num_key_value_heads", nKvHead, "a divisor of num_attention_heads=" + nHead);
        require(dModel > 0, "hidden_size", dModel, "> 0");
        require(headDim > 0 && (family.learnedPositions() || headDim % 2 == 0), "head_dim", headDim, "> 0 and even for RoPE");
        require(dFf > 0, "intermediate_size", dFf, "> 0");
        require(contextLength > 0, "max_position_embeddings", contextLength, "> 0");
        require(normEps > 0, "norm eps", normEps, "> 0");
        require(family.learnedPositions() || ropeTheta > 0, "rope_theta", ropeTheta, "> 0");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new IllegalArgumentException("model " + key + "=" + value + " is invalid: expected " + expected);
    }

    public int qWidth() {
        return nHead * headDim;
    }

    public int kvWidth() {
        return nKvHead * headDim;
    }
}
