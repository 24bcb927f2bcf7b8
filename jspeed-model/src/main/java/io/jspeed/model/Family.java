package io.jspeed.model;

/**
 * The few choices that tell model families apart, read once when a model is built so neither training blocks nor the
 * inference forward pass branch per family: they ask "is there a bias", "which norm", never "is this GPT-2".
 * Sizes (head width, RoPE base, norm epsilon) differ within a family and live beside it in {@link ModelSpec} and
 * inference's LmConfig.
 *
 * @param norm             LayerNorm (mean and bias) or RMSNorm, before attention, before the MLP and before the head
 * @param learnedPositions a position-embedding table added to the token embedding (GPT-2) instead of RoPE on q and k
 * @param mlp              GELU (tanh) MLP with one input projection, or SwiGLU with gate and up
 * @param qkvBias          q/k/v projections carry biases (GPT-2, Qwen2)
 * @param outputBiases     attention output and MLP projections carry biases (GPT-2)
 * @param qkNorm           per-head RMSNorm of q and k before RoPE (Qwen3)
 * @param tiedHead         the LM head is the token-embedding matrix: what the family's models do unless their own
 *                         config says otherwise (Hugging Face's {@code tie_word_embeddings} default)
 * @param names            Hugging Face's parameter names and weight layout for the family's modules
 */
public record Family(String name, Norm norm, boolean learnedPositions, Mlp mlp, boolean qkvBias, boolean outputBiases,
                     boolean qkNorm, boolean tiedHead, HfNames names) {

    public enum Norm { LAYER_NORM, RMS_NORM }

    public enum Mlp {
        GELU(1), SWIGLU(2);

        private final int inputs;

        Mlp(int inputs) {
            this.inputs = inputs;
        }

        /** Input projections: GELU's one, SwiGLU's gate and up. */
        public int inputs() {
            return inputs;
        }
    }

    public Family {
        if (learnedPositions && names.positionEmbedding() == null)
            throw new IllegalArgumentException("family " + name + " has learned positions but no name for their table");
        if (names.mlpIn().size() != mlp.inputs())
            throw new IllegalArgumentException("family " + name + ": a " + mlp + " MLP has " + mlp.inputs() + " input projection(s), names give " + names.mlpIn());
    }

    public static final Family GPT2 = new Family("gpt2", Norm.LAYER_NORM, true, Mlp.GELU, true, true, false, true, HfNames.GPT2);
    public static final Family LLAMA = new Family("llama", Norm.RMS_NORM, false, Mlp.SWIGLU, false, false, false, false, HfNames.LLAMA);
    public static final Family QWEN2 = new Family("qwen2", Norm.RMS_NORM, false, Mlp.SWIGLU, true, false, false, false, HfNames.LLAMA);
    public static final Family QWEN3 = new Family("qwen3", Norm.RMS_NORM, false, Mlp.SWIGLU, false, false, true, false, HfNames.LLAMA);
}
