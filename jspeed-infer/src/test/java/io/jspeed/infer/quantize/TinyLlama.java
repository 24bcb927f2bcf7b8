package io.jspeed.infer.quantize;

import io.jspeed.model.format.gguf.GgufValue;
import io.jspeed.model.format.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A random-weight Llama in GGUF F32, written by jspeed, complete enough for llama.cpp to load and run: dim 64,
 * 2 layers, 2 heads, hidden 128, a 320-token SentencePiece-style vocabulary with byte fallback.
 */
final class TinyLlama {

    static final int DIM = 64;
    static final int LAYERS = 2;
    static final int HEADS = 2;
    static final int HIDDEN = 128;
    static final int VOCAB = 320;

    private TinyLlama() {
    }

    static Path write(Path file) throws Exception {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        for (int i = 0; tokens.size() < VOCAB; i++) {
            String piece = (i % 2 == 0 ? "\u2581" : "") + (char) ('a' + (i / 2) % 26) + (i >= 52 ? Integer.toString(i) : "");
            tokens.add(piece);
            types.add(1);
        }
        float[] scores = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            scores[i] = -i;
        }
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putString("general.name", "jspeed-tiny-llama")
                .putUint32("llama.context_length", 256).putUint32("llama.embedding_length", DIM)
                .putUint32("llama.block_count", LAYERS).putUint32("llama.feed_forward_length", HIDDEN)
                .putUint32("llama.attention.head_count", HEADS).putUint32("llama.attention.head_count_kv", HEADS)
                .putUint32("llama.rope.dimension_count", DIM / HEADS).putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putUint32("general.file_type", 0)
                .putString("tokenizer.ggml.model", "llama").putStrings("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.scores", GgufValue.float32s(scores))
                .put("tokenizer.ggml.token_type", GgufValue.int32s(types.stream().mapToInt(Integer::intValue).toArray()))
                .putUint32("tokenizer.ggml.bos_token_id", 1).putUint32("tokenizer.ggml.eos_token_id", 2);
        Random rng = new Random(0);
        matrix(w, "token_embd.weight", VOCAB, DIM, rng);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            ones(w, p + "attn_norm.weight");
            for (String n : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                matrix(w, p + n + ".weight", DIM, DIM, rng);
            }
            ones(w, p + "ffn_norm.weight");
            matrix(w, p + "ffn_gate.weight", HIDDEN, DIM, rng);
            matrix(w, p + "ffn_up.weight", HIDDEN, DIM, rng);
            matrix(w, p + "ffn_down.weight", DIM, HIDDEN, rng);
        }
        ones(w, "output_norm.weight");
        matrix(w, "output.weight", VOCAB, DIM, rng);
        w.write(file);
        return file;
    }

    private static void matrix(GgufWriter w, String name, int rows, int cols, Random rng) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rng.nextGaussian() * 0.05);
        }
        w.addF32(name, new long[] {rows, cols}, data, 0);
    }

    private static void ones(GgufWriter w, String name) {
        float[] data = new float[DIM];
        java.util.Arrays.fill(data, 1f);
        w.addF32(name, new long[] {DIM}, data, 0);
    }
}
