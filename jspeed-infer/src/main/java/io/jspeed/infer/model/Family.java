package io.jspeed.infer.model;

/**
 * The few choices that tell model families apart, read once at load so the forward pass has no per-family branches:
 * it asks "is there a bias", "which norm", never "is this GPT-2".
 *
 * @param norm           LayerNorm (mean and bias) or RMSNorm
 * @param learnedPositions a position-embedding table added to the token embedding (GPT-2) instead of RoPE
 * @param mlp            GELU (tanh) MLP with up/down, or SwiGLU with gate/up/down
 * @param qkvBias        q/k/v projections carry biases (GPT-2, Qwen2)
 * @param outputBiases   attention output and MLP projections carry biases (GPT-2)
 * @param qkNorm         per-head RMSNorm of q and k before RoPE (Qwen3)
 */
public record Family(String name, Norm norm, boolean learnedPositions, Mlp mlp, boolean qkvBias, boolean outputBiases,
                     boolean qkNorm) {

    public enum Norm { LAYER_NORM, RMS_NORM }

    public enum Mlp { GELU, SWIGLU }

    public static final Family GPT2 = new Family("gpt2", Norm.LAYER_NORM, true, Mlp.GELU, true, true, false);
    public static final Family LLAMA = new Family("llama", Norm.RMS_NORM, false, Mlp.SWIGLU, false, false, false);
    public static final Family QWEN2 = new Family("qwen2", Norm.RMS_NORM, false, Mlp.SWIGLU, true, false, false);
    public static final Family QWEN3 = new Family("qwen3", Norm.RMS_NORM, false, Mlp.SWIGLU, false, false, true);
}
