package io.jspeed.infer.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.model.Family;
import io.jspeed.infer.model.JspeedRunConfig;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufValue;
import io.jspeed.model.format.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A jspeed GPT-2 checkpoint as a GGUF file llama.cpp loads: its tensor names (token_embd, blk.N.attn_qkv, ...), its
 * [out, in] matrices (Hugging Face's Conv1D weights are [in, out], so they are transposed), the run's byte-level BPE
 * vocabulary and merges as a "gpt2" tokenizer, and the tied head written out as output.weight. Matrices are stored as
 * {@code type} (F32, F16, Q8_0 or Q4_0); embeddings, norms and biases stay F32.
 */
public final class Gpt2ToGguf {

    private Gpt2ToGguf() {}

    /** checkpoint: the directory holding trainer.json and model.safetensors; tokenizerJson: the run's tokenizer.json. */
    public static void convert(Path checkpoint, Path tokenizerJson, GgmlType type, Path out) throws IOException {
        LmConfig c = JspeedRunConfig.read(checkpoint.resolve("trainer.json"));
        if (c.family() != Family.GPT2)
            throw new IOException(checkpoint + ": convert --to gguf writes GPT-2 checkpoints so far; this one is " + c.family());
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "gpt2").putString("general.name", checkpoint.getFileName().toString());
        w.putUint32("gpt2.context_length", c.contextLength()).putUint32("gpt2.embedding_length", c.dModel())
                .putUint32("gpt2.feed_forward_length", c.dFf()).putUint32("gpt2.block_count", c.nLayer())
                .putUint32("gpt2.attention.head_count", c.nHead()).putFloat32("gpt2.attention.layer_norm_epsilon", c.normEps())
                .putUint32("general.file_type", fileType(type));
        vocabulary(w, tokenizerJson, c.vocabSize());
        int d = c.dModel(), f = c.dFf();
        try (SafetensorsFile st = SafetensorsFile.open(checkpoint.resolve("model.safetensors"))) {
            w.add("token_embd.weight", GgmlType.F32, new long[] {c.vocabSize(), d}, st.floats("transformer.wte.weight"), 0);
            w.add("position_embd.weight", GgmlType.F32, new long[] {c.contextLength(), d}, st.floats("transformer.wpe.weight"), 0);
            for (int l = 0; l < c.nLayer(); l++) {
                String h = "transformer.h." + l + ".", b = "blk." + l + ".";
                vector(w, b + "attn_norm.weight", st, h + "ln_1.weight");
                vector(w, b + "attn_norm.bias", st, h + "ln_1.bias");
                transposed(w, b + "attn_qkv.weight", type, st.floats(h + "attn.c_attn.weight"), d, 3 * d);
                vector(w, b + "attn_qkv.bias", st, h + "attn.c_attn.bias");
                transposed(w, b + "attn_output.weight", type, st.floats(h + "attn.c_proj.weight"), d, d);
                vector(w, b + "attn_output.bias", st, h + "attn.c_proj.bias");
                vector(w, b + "ffn_norm.weight", st, h + "ln_2.weight");
                vector(w, b + "ffn_norm.bias", st, h + "ln_2.bias");
                transposed(w, b + "ffn_up.weight", type, st.floats(h + "mlp.c_fc.weight"), d, f);
                vector(w, b + "ffn_up.bias", st, h + "mlp.c_fc.bias");
                transposed(w, b + "ffn_down.weight", type, st.floats(h + "mlp.c_proj.weight"), f, d);
                vector(w, b + "ffn_down.bias", st, h + "mlp.c_proj.bias");
            }
            vector(w, "output_norm.weight", st, "transformer.ln_f.weight");
            vector(w, "output_norm.bias", st, "transformer.ln_f.bias");
            // llama.cpp's gpt2 graph reads the head from output.weight (it does not fall back to the tied embedding).
            w.add("output.weight", GgmlType.F32, new long[] {c.vocabSize(), d}, st.floats("transformer.wte.weight"), 0);
            w.write(out);
        }
    }

    /** The run's tokenizer.json (Hugging Face byte-level BPE layout): tokens by id, merges, and no special tokens. */
    private static void vocabulary(GgufWriter w, Path tokenizerJson, int vocabSize) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(tokenizerJson));
        JsonNode vocab = root.path("model").path("vocab");
        if (!vocab.isObject()) throw new IOException(tokenizerJson + ": expected a byte-level BPE tokenizer (model.vocab)");
        String[] tokens = new String[vocabSize];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt();
            if (id < 0 || id >= vocabSize) throw new IOException(tokenizerJson + ": token id " + id + " outside the model's vocabulary " + vocabSize);
            tokens[id] = e.getKey();
        }
        // Embedding rows past the tokenizer (model.vocab_size padding) get placeholder tokens llama.cpp never produces.
        int[] types = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            types[i] = tokens[i] == null ? 5 : 1; // 1 = normal, 5 = unused
            if (tokens[i] == null) tokens[i] = "[PAD" + i + "]";
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : root.path("model").path("merges")) merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        w.putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
                .putStrings("tokenizer.ggml.tokens", List.of(tokens)).put("tokenizer.ggml.token_type", GgufValue.int32s(types))
                .putStrings("tokenizer.ggml.merges", merges)
                .putUint32("tokenizer.ggml.bos_token_id", 0).putUint32("tokenizer.ggml.eos_token_id", 0)
                .putBool("tokenizer.ggml.add_bos_token", false);
    }

    private static void vector(GgufWriter w, String name, SafetensorsFile st, String tensor) throws IOException {
        float[] v = st.floats(tensor);
        w.add(name, GgmlType.F32, new long[] {v.length}, v, 0);
    }

    /** An [in, out] Conv1D weight written as [out, in]. */
    private static void transposed(GgufWriter w, String name, GgmlType type, float[] inOut, int in, int out) {
        w.addRows(name, type, new long[] {out, in}, (r, dst) -> {
            for (int i = 0; i < in; i++) dst[i] = inOut[i * out + (int) r];
        });
    }

    /** llama.cpp's LLAMA_FTYPE: all F32 0, mostly F16 1, Q4_0 2, Q8_0 7. */
    private static long fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            default -> throw new IllegalArgumentException("convert writes F32, F16, Q8_0 or Q4_0 matrices, not " + type);
        };
    }
}
