package io.jspeed.infer.gguf;

import io.jspeed.infer.model.OffHeap;
import io.jspeed.infer.model.TensorSource;
import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.gguf.GgufFile;

import java.io.IOException;
import java.util.Map;

/**
 * A GGUF file's tensors under their Hugging Face names (model.layers.N.self_attn.q_proj.weight -> blk.N.attn_q.weight),
 * so one layout serves both formats. Matrices are views of the mapped file.
 */
public final class GgufSource implements TensorSource {

    private static final Map<String, String> TOP = Map.of("model.embed_tokens", "token_embd", "model.norm", "output_norm", "lm_head", "output");
    private static final Map<String, String> LAYER = Map.ofEntries(
            Map.entry("input_layernorm", "attn_norm"), Map.entry("self_attn.q_proj", "attn_q"), Map.entry("self_attn.k_proj", "attn_k"),
            Map.entry("self_attn.v_proj", "attn_v"), Map.entry("self_attn.o_proj", "attn_output"), Map.entry("self_attn.q_norm", "attn_q_norm"),
            Map.entry("self_attn.k_norm", "attn_k_norm"), Map.entry("post_attention_layernorm", "ffn_norm"), Map.entry("mlp.gate_proj", "ffn_gate"),
            Map.entry("mlp.up_proj", "ffn_up"), Map.entry("mlp.down_proj", "ffn_down"));

    private final GgufFile file;

    public GgufSource(GgufFile file) {
        this.file = file;
    }

    /** The GGUF name of a Hugging Face tensor name (names without a mapping pass through unchanged). */
    public static String ggufName(String hf) {
        int dot = hf.lastIndexOf('.');
        String stem = hf.substring(0, dot), suffix = hf.substring(dot);
        if (TOP.containsKey(stem)) return TOP.get(stem) + suffix;
        if (stem.startsWith("model.layers.")) {
            int layerEnd = stem.indexOf('.', "model.layers.".length());
            String part = LAYER.get(stem.substring(layerEnd + 1));
            if (part != null) return "blk." + stem.substring("model.layers.".length(), layerEnd) + "." + part + suffix;
        }
        return hf;
    }

    /** GPT-2 files use their own tensor layout (fused q|k|v, [out, in] matrices). */
    public static io.jspeed.infer.model.LmWeights gpt2(io.jspeed.infer.model.LmConfig config, GgufFile file) throws IOException {
        return GgufGpt2Layout.assemble(config, file);
    }

    @Override
    public String description() {
        return file.path().toString();
    }

    @Override
    public boolean contains(String name) {
        return file.contains(ggufName(name));
    }

    @Override
    public long[] shape(String name) {
        try {
            return file.tensor(ggufName(name)).shape();
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public float[] floats(String name) throws IOException {
        return file.floats(ggufName(name));
    }

    @Override
    public WeightMatrix matrix(String name) throws IOException {
        return WeightFormats.of(file, ggufName(name));
    }

    @Override
    public WeightMatrix f32(int rows, int cols, float[] data) {
        return OffHeap.f32(rows, cols, data);
    }
}
