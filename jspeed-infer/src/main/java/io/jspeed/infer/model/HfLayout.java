package io.jspeed.infer.model;

import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.Family;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hugging Face tensor names to {@link LmWeights}: model.layers.N.* for Llama/Mistral/Qwen, [transformer.]h.N.* for
 * GPT-2 (jspeed checkpoints use the same names). GPT-2 stores Conv1D weights [in, out] and fuses q|k|v, so those are
 * transposed and split once at load into fp32 matrices; every other matrix is used in place.
 */
public final class HfLayout {

    private HfLayout() {}

    public static LmWeights assemble(LmConfig c, TensorSource src) throws IOException {
        return c.family() == Family.GPT2 ? gpt2(c, src) : llama(c, src);
    }

    private static LmWeights llama(LmConfig c, TensorSource src) throws IOException {
        Family f = c.family();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "model.layers." + l + ".";
            String a = p + "self_attn.", m = p + "mlp.";
            layers.add(new LayerWeights(
                    new NormWeights(vector(src, p + "input_layernorm.weight", c.dModel()), null),
                    matrix(src, a + "q_proj.weight", c.qWidth(), c.dModel()),
                    matrix(src, a + "k_proj.weight", c.kvWidth(), c.dModel()),
                    matrix(src, a + "v_proj.weight", c.kvWidth(), c.dModel()),
                    f.qkvBias() ? vector(src, a + "q_proj.bias", c.qWidth()) : null,
                    f.qkvBias() ? vector(src, a + "k_proj.bias", c.kvWidth()) : null,
                    f.qkvBias() ? vector(src, a + "v_proj.bias", c.kvWidth()) : null,
                    f.qkNorm() ? vector(src, a + "q_norm.weight", c.headDim()) : null,
                    f.qkNorm() ? vector(src, a + "k_norm.weight", c.headDim()) : null,
                    matrix(src, a + "o_proj.weight", c.dModel(), c.qWidth()), null,
                    new NormWeights(vector(src, p + "post_attention_layernorm.weight", c.dModel()), null),
                    matrix(src, m + "gate_proj.weight", c.dFf(), c.dModel()),
                    matrix(src, m + "up_proj.weight", c.dFf(), c.dModel()), null,
                    matrix(src, m + "down_proj.weight", c.dModel(), c.dFf()), null));
        }
        WeightMatrix embed = matrix(src, "model.embed_tokens.weight", c.vocabSize(), c.dModel());
        WeightMatrix head = c.tiedHead() || !src.contains("lm_head.weight") ? embed : matrix(src, "lm_head.weight", c.vocabSize(), c.dModel());
        return new LmWeights(c, embed, null, layers, new NormWeights(vector(src, "model.norm.weight", c.dModel()), null), head, null);
    }

    private static LmWeights gpt2(LmConfig c, TensorSource src) throws IOException {
        // The hub's gpt2 checkpoints name tensors h.0.*, wte, ln_f; GPT2LMHeadModel.save_pretrained (and jspeed) prefix "transformer."
        String t = src.contains("transformer.wte.weight") ? "transformer." : "";
        int d = c.dModel(), ff = c.dFf();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) {
            String p = t + "h." + l + ".";
            float[] qkv = transposed(src, p + "attn.c_attn.weight", d, 3 * d);
            float[] qkvBias = vector(src, p + "attn.c_attn.bias", 3 * d);
            layers.add(new LayerWeights(
                    norm(src, p + "ln_1", d),
                    src.f32(d, d, Arrays.copyOfRange(qkv, 0, d * d)),
                    src.f32(d, d, Arrays.copyOfRange(qkv, d * d, 2 * d * d)),
                    src.f32(d, d, Arrays.copyOfRange(qkv, 2 * d * d, 3 * d * d)),
                    Arrays.copyOfRange(qkvBias, 0, d), Arrays.copyOfRange(qkvBias, d, 2 * d), Arrays.copyOfRange(qkvBias, 2 * d, 3 * d),
                    null, null,
                    src.f32(d, d, transposed(src, p + "attn.c_proj.weight", d, d)), vector(src, p + "attn.c_proj.bias", d),
                    norm(src, p + "ln_2", d),
                    null,
                    src.f32(ff, d, transposed(src, p + "mlp.c_fc.weight", d, ff)), vector(src, p + "mlp.c_fc.bias", ff),
                    src.f32(d, ff, transposed(src, p + "mlp.c_proj.weight", ff, d)), vector(src, p + "mlp.c_proj.bias", d)));
        }
        WeightMatrix embed = matrix(src, t + "wte.weight", c.vocabSize(), d);
        WeightMatrix head = c.tiedHead() || !src.contains("lm_head.weight") ? embed : matrix(src, "lm_head.weight", c.vocabSize(), d);
        float[] positions = vector(src, t + "wpe.weight", (long) c.contextLength() * d);
        return new LmWeights(c, embed, positions, layers, norm(src, t + "ln_f", d), head, null);
    }

    private static NormWeights norm(TensorSource src, String prefix, int dim) throws IOException {
        return new NormWeights(vector(src, prefix + ".weight", dim), vector(src, prefix + ".bias", dim));
    }

    /** A stored [in, out] tensor as [out, in] floats. */
    private static float[] transposed(TensorSource src, String name, int in, int out) throws IOException {
        checkShape(src, name, in, out);
        float[] w = src.floats(name), tr = new float[w.length];
        for (int i = 0; i < in; i++) for (int o = 0; o < out; o++) tr[o * in + i] = w[i * out + o];
        return tr;
    }

    static WeightMatrix matrix(TensorSource src, String name, int rows, int cols) throws IOException {
        checkShape(src, name, rows, cols);
        return src.matrix(name);
    }

    static float[] vector(TensorSource src, String name, long size) throws IOException {
        require(src, name);
        long[] shape = src.shape(name);
        long n = 1;
        for (long s : shape) n *= s;
        if (n != size)
            throw new IllegalArgumentException(src.description() + ": tensor " + name + " has shape " + Arrays.toString(shape)
                    + " (" + n + " values), expected " + size + " values");
        return src.floats(name);
    }

    private static void checkShape(TensorSource src, String name, long rows, long cols) {
        require(src, name);
        long[] shape = src.shape(name);
        if (shape.length != 2 || shape[0] != rows || shape[1] != cols)
            throw new IllegalArgumentException(src.description() + ": tensor " + name + " has shape " + Arrays.toString(shape)
                    + ", expected [" + rows + ", " + cols + "]");
    }

    private static void require(TensorSource src, String name) {
        if (!src.contains(name)) throw new IllegalArgumentException(src.description() + " has no tensor \"" + name + "\"");
    }
}
