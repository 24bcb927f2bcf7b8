package io.jspeed.model;

/**
 * The shape of a decoder-only transformer. {@code dFf} is the MLP width (4·d for GPT-2, the SwiGLU width for
 * Llama); {@code maxSeqLen} sizes GPT-2's position table and bounds every batch's sequence length.
 */
public record ModelSpec(Architecture architecture, int vocabSize, int nLayer, int nHead, int nKvHead, int dModel,
                        int dFf, int maxSeqLen, float normEps, float ropeTheta) {

    public enum Architecture { GPT2, LLAMA }

    public ModelSpec {
        require(vocabSize > 0, "vocab_size", vocabSize, "> 0");
        require(nLayer > 0, "n_layer", nLayer, "> 0");
        require(nHead > 0 && dModel % nHead == 0, "n_head", nHead, "a divisor of d_model=" + dModel);
        require(nKvHead > 0 && nHead % nKvHead == 0, "n_kv_head", nKvHead, "a divisor of n_head=" + nHead);
        require(architecture == Architecture.LLAMA || nKvHead == nHead, "n_kv_head", nKvHead, "equal to n_head for GPT-2");
        require(dFf > 0, "d_ff", dFf, "> 0");
        require(maxSeqLen > 0, "seq_len", maxSeqLen, "> 0");
        require(architecture == Architecture.GPT2 || (dModel / nHead) % 2 == 0, "n_head", nHead, "a head size that is even (RoPE rotates pairs)");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) throw new IllegalArgumentException("model." + key + "=" + value + " is invalid: expected " + expected);
    }

    public int headDim() {
        return dModel / nHead;
    }

    /** Width of the packed q|k|v projection output. */
    public int qkvWidth() {
        return (nHead + 2 * nKvHead) * headDim();
    }

    public static ModelSpec gpt2(int vocabSize, int nLayer, int nHead, int dModel, int maxSeqLen) {
        return new ModelSpec(Architecture.GPT2, vocabSize, nLayer, nHead, nHead, dModel, 4 * dModel, maxSeqLen, 1e-5f, 0f);
    }
}
