package io.jspeed.model;

/**
 * The shape of a decoder-only transformer and the {@link Family} whose choices its blocks make. {@code dFf} is the MLP
 * width (4·d for GPT-2, the SwiGLU width for Llama); {@code maxSeqLen} sizes a learned position table and bounds
 * every batch's sequence length; {@code ropeTheta} is unused with learned positions.
 */
public record ModelSpec(Family family, int vocabSize, int nLayer, int nHead, int nKvHead, int dModel,
                        int dFf, int maxSeqLen, float normEps, float ropeTheta) {

    public ModelSpec {
        require(!family.qkNorm(), "type", family.name(), "a family without q/k norm (training does not implement it)");
        require(vocabSize > 0, "vocab_size", vocabSize, "> 0");
        require(nLayer > 0, "n_layer", nLayer, "> 0");
        require(nHead > 0 && dModel % nHead == 0, "n_head", nHead, "a divisor of d_model=" + dModel);
        require(nKvHead > 0 && nHead % nKvHead == 0, "n_kv_head", nKvHead, "a divisor of n_head=" + nHead);
        require(family.names().qkv().size() == 3 || nKvHead == nHead, "n_kv_head", nKvHead,
                "equal to n_head for " + family.name() + ", whose packed " + family.names().qkv().getFirst() + " has no separate key/value heads");
        require(dFf > 0, "d_ff", dFf, "> 0");
        require(maxSeqLen > 0, "seq_len", maxSeqLen, "> 0");
        require(family.learnedPositions() || (dModel / nHead) % 2 == 0, "n_head", nHead, "a head size that is even (RoPE rotates pairs)");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new IllegalArgumentException("model." + key + "=" + value + " is invalid: expected " + expected);
    }

    public int headDim() {
        return dModel / nHead;
    }

    /** Width of the attention output: every query head side by side. */
    public int qWidth() {
        return nHead * headDim();
    }

    /** Width of one of the k and v parts of a packed q|k|v row. */
    public int kvWidth() {
        return nKvHead * headDim();
    }

    /** Width of the packed q|k|v projection output. */
    public int qkvWidth() {
        return qWidth() + 2 * kvWidth();
    }

    public static ModelSpec gpt2(int vocabSize, int nLayer, int nHead, int dModel, int maxSeqLen) {
        return new ModelSpec(Family.GPT2, vocabSize, nLayer, nHead, nHead, dModel, 4 * dModel, maxSeqLen, 1e-5f, 0f);
    }
}
