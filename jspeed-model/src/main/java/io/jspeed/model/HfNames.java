package io.jspeed.model;

import io.jspeed.model.layer.WeightLayout;

import java.util.List;

/**
 * Hugging Face's names for a family's modules and how it stores linear weights, so a checkpoint loads in transformers
 * as it is. Names are module paths; tensors append {@code .weight} or {@code .bias}, and block modules sit under
 * {@code layers + "." + index + "."}.
 *
 * @param positionEmbedding the learned position table, or null for families without one
 * @param qkv               the projections that produce the packed q|k|v rows: one (GPT-2's c_attn) or q, k, v
 * @param mlpIn             the MLP's input projections: GELU's one, or SwiGLU's gate then up
 */
public record HfNames(String tokenEmbedding, String positionEmbedding, String layers, String attnNorm, List<String> qkv,
                      String attnOut, String mlpNorm, List<String> mlpIn, String mlpOut, String finalNorm, String lmHead,
                      WeightLayout layout) {

    public HfNames {
        qkv = List.copyOf(qkv);
        mlpIn = List.copyOf(mlpIn);
        if (qkv.size() != 1 && qkv.size() != 3) throw new IllegalArgumentException("qkv names " + qkv + ": expected one packed projection or q, k, v");
    }

    /** GPT-2: Conv1D weights [in, out], q, k and v packed in c_attn. */
    public static final HfNames GPT2 = new HfNames("transformer.wte", "transformer.wpe", "transformer.h", "ln_1",
            List.of("attn.c_attn"), "attn.c_proj", "ln_2", List.of("mlp.c_fc"), "mlp.c_proj", "transformer.ln_f", "lm_head",
            WeightLayout.IN_OUT);

    /** Llama and the families that copied its modules (Mistral, Qwen2, Qwen3): torch.nn.Linear weights [out, in]. */
    public static final HfNames LLAMA = new HfNames("model.embed_tokens", null, "model.layers", "input_layernorm",
            List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj", "post_attention_layernorm",
            List.of("mlp.gate_proj", "mlp.up_proj"), "mlp.down_proj", "model.norm", "lm_head", WeightLayout.OUT_IN);
}
