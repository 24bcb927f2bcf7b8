package io.jspeed.infer.model;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.infer.gguf.GgufSource;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.Family;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hugging Face folders (config.json + random model.safetensors) of every supported architecture load and run to the
 * logits of an independent naive forward; a GGUF file of the same Llama weights (q/k permuted as llama.cpp's
 * converter does, Llama 3 scaling as rope_freqs) decodes the same tokens.
 */
class ModelFilesTest {

    private static final Parallel POOL = new Parallel(2);
    private static final int[] TOKENS = {3, 17, 0, 42, 8, 8, 29, 11, 5};

    @AfterAll
    static void close() {
        POOL.close();
    }

    static final String LLAMA = """
            {"architectures": ["LlamaForCausalLM"], "vocab_size": 50, "hidden_size": 32, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "max_position_embeddings": 64,
             "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false, "bos_token_id": 1, "eos_token_id": [2, 7],
             "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 16}}""";
    static final String MISTRAL = """
            {"architectures": ["MistralForCausalLM"], "vocab_size": 50, "hidden_size": 32, "num_hidden_layers": 1,
             "num_attention_heads": 4, "num_key_value_heads": 1, "intermediate_size": 24, "max_position_embeddings": 64,
             "rms_norm_eps": 1e-5, "rope_theta": 1000000.0, "sliding_window": 4096}""";
    static final String QWEN2 = """
            {"architectures": ["Qwen2ForCausalLM"], "vocab_size": 50, "hidden_size": 32, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 40, "max_position_embeddings": 64,
             "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true}""";
    static final String QWEN3 = """
            {"architectures": ["Qwen3ForCausalLM"], "vocab_size": 50, "hidden_size": 32, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 40,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": false}""";
    static final String GPT2 = """
            {"architectures": ["GPT2LMHeadModel"], "vocab_size": 50, "n_embd": 32, "n_layer": 2, "n_head": 4,
             "n_positions": 16, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "n_inner": null}""";

    @Test
    void llamaWithLlama3RopeScalingAndGqa(@TempDir Path dir) throws Exception {
        checkAgainstReference(dir, LLAMA, "");
    }

    @Test
    void mistralIsLlamaShaped(@TempDir Path dir) throws Exception {
        checkAgainstReference(dir, MISTRAL, "");
    }

    @Test
    void qwen2QkvBiasesAndTiedHead(@TempDir Path dir) throws Exception {
        checkAgainstReference(dir, QWEN2, "");
    }

    @Test
    void qwen3PerHeadQkNormAndWideHeads(@TempDir Path dir) throws Exception {
        checkAgainstReference(dir, QWEN3, "");
    }

    @Test
    void gpt2HubNamingAndPrefixedNaming(@TempDir Path dir) throws Exception {
        checkAgainstReference(dir.resolve("hub"), GPT2, "");
        checkAgainstReference(dir.resolve("prefixed"), GPT2, "transformer.");
    }

    private static void checkAgainstReference(Path dir, String configJson, String gpt2Prefix) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, gpt2Prefix, weights, shapes);
        writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        float[] expected = new NaiveReference(config, weights).logits(TOKENS);
        try (LoadedModel loaded = ModelLoader.load(dir)) {
            LanguageModel lm = new LanguageModel(loaded.weights(), POOL);
            float[] actual = Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), expected.length);
            assertClose(actual, expected, 1e-4f);
            assertThat(loaded.format()).isEqualTo("safetensors F32");
            // token-by-token decode (fused projections, matvecRows) reaches the same logits at every position
            var seq = lm.newSequence();
            int vocab = config.vocabSize();
            for (int i = 0; i < TOKENS.length; i++) {
                float[] step = Arrays.copyOf(lm.decode(seq, TOKENS[i]), vocab);
                assertClose(step, Arrays.copyOfRange(expected, i * vocab, (i + 1) * vocab), 1e-4f);
            }
        }
    }

    /** A Hugging Face folder's tokenizer.json is read as Hugging Face reads it (the @lenml llama2 file: SentencePiece BPE). */
    @Test
    void aHuggingFaceFolderTokenizesWithItsTokenizerJson(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), LLAMA);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, "", weights, shapes);
        writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        Path fixture = Path.of("../jspeed-model/src/test/resources/tokenizers/llama2/tokenizer.json.gz");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(fixture))) {
            Files.write(dir.resolve("tokenizer.json"), in.readAllBytes());
        }
        try (LoadedModel loaded = ModelLoader.load(dir)) {
            assertThat(loaded.requireTokenizer().encode("Hello world")).containsExactly(1, 22557, 1526); // Hugging Face tokenizers 0.23.2 on this file (expected.json)
        }
    }

    @Test
    void aMissingOrMisshapenTensorIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), QWEN2);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, "", weights, shapes);
        weights.remove("model.layers.1.self_attn.k_proj.bias");
        shapes.put("model.layers.0.mlp.up_proj.weight", new long[] {32, 40});
        writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelLoader.load(dir).close())
                .hasMessageContaining("model.safetensors").hasMessageContaining("model.layers.0.mlp.up_proj.weight")
                .hasMessageContaining("[32, 40]").hasMessageContaining("expected [40, 32]");
        shapes.put("model.layers.0.mlp.up_proj.weight", new long[] {40, 32});
        writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelLoader.load(dir).close())
                .hasMessageContaining("no tensor \"model.layers.1.self_attn.k_proj.bias\"");
    }

    @Test
    void bf16SafetensorsRunInPlace(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), QWEN3);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, "", weights, shapes);
        SafetensorsWriter out = new SafetensorsWriter();
        for (var e : weights.entrySet()) {
            float[] v = e.getValue();
            // values with 8 significant bits are stored exactly, so the reference sees the same weights
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xffff0000);
            out.addBf16(e.getKey(), shapes.get(e.getKey()), v, 0);
        }
        out.write(dir.resolve("model.safetensors"));
        float[] expected = new NaiveReference(config, weights).logits(TOKENS);
        try (LoadedModel loaded = ModelLoader.load(dir)) {
            assertThat(loaded.format()).isEqualTo("safetensors BF16");
            LanguageModel lm = new LanguageModel(loaded.weights(), POOL);
            assertClose(Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), expected.length), expected, 1e-4f);
        }
    }

    @Test
    void shardedSafetensorsLoadThroughTheIndex(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), QWEN2);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, "", weights, shapes);
        Map<String, float[]> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (String name : weights.keySet()) {
            boolean one = name.contains("layers.0.") || name.contains("embed");
            (one ? first : second).put(name, weights.get(name));
            if (index.charAt(index.length() - 1) != '{') index.append(", ");
            index.append('"').append(name).append("\": \"model-0000").append(one ? 1 : 2).append("-of-00002.safetensors\"");
        }
        writeSafetensors(dir.resolve("model-00001-of-00002.safetensors"), first, shapes);
        writeSafetensors(dir.resolve("model-00002-of-00002.safetensors"), second, shapes);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        float[] expected = new NaiveReference(config, weights).logits(TOKENS);
        try (LoadedModel loaded = ModelLoader.load(dir)) {
            LanguageModel lm = new LanguageModel(loaded.weights(), POOL);
            assertClose(Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), expected.length), expected, 1e-4f);
        }
    }

    @Test
    void ggufOfTheSameLlamaWeightsDecodesTheSameTokens(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), LLAMA);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(config, "", weights, shapes);
        writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        Path gguf = dir.resolve("model.gguf");
        writeLlamaGguf(gguf, config, weights, shapes);
        try (LoadedModel hf = ModelLoader.load(dir); LoadedModel gg = ModelLoader.load(gguf)) {
            assertThat(gg.config().ropeLayout()).isEqualTo(RopeLayout.INTERLEAVED);
            assertThat(gg.format()).isEqualTo("gguf F32");
            LanguageModel a = new LanguageModel(hf.weights(), POOL), b = new LanguageModel(gg.weights(), POOL);
            assertClose(Arrays.copyOf(b.forwardAll(b.newSequence(), TOKENS), TOKENS.length * 50),
                    Arrays.copyOf(a.forwardAll(a.newSequence(), TOKENS), TOKENS.length * 50), 1e-4f);
            assertThat(greedy(b, 20)).containsExactly(greedy(a, 20));
            assertThat(hf.special().eos()).containsExactly(2, 7);
        }
    }

    @Test
    void gpt2GgufWithFusedQkvMatchesTheReference(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), GPT2);
        LmConfig c = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> w = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        randomWeights(c, "", w, shapes);
        int d = c.dModel(), f = c.dFf();
        GgufWriter g = new GgufWriter().putString("general.architecture", "gpt2")
                .putUint32("gpt2.embedding_length", d).putUint32("gpt2.block_count", c.nLayer())
                .putUint32("gpt2.attention.head_count", c.nHead()).putUint32("gpt2.feed_forward_length", f)
                .putUint32("gpt2.context_length", c.contextLength()).putFloat32("gpt2.attention.layer_norm_epsilon", c.normEps());
        g.add("token_embd.weight", GgmlType.F32, shapes.get("wte.weight"), w.get("wte.weight"), 0);
        g.add("position_embd.weight", GgmlType.F32, shapes.get("wpe.weight"), w.get("wpe.weight"), 0);
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "h." + l + ".", b = "blk." + l + ".";
            g.add(b + "attn_norm.weight", GgmlType.F32, new long[] {d}, w.get(p + "ln_1.weight"), 0);
            g.add(b + "attn_norm.bias", GgmlType.F32, new long[] {d}, w.get(p + "ln_1.bias"), 0);
            g.add(b + "attn_qkv.weight", GgmlType.F32, new long[] {3 * d, d}, transpose(w.get(p + "attn.c_attn.weight"), d, 3 * d), 0);
            g.add(b + "attn_qkv.bias", GgmlType.F32, new long[] {3 * d}, w.get(p + "attn.c_attn.bias"), 0);
            g.add(b + "attn_output.weight", GgmlType.F32, new long[] {d, d}, transpose(w.get(p + "attn.c_proj.weight"), d, d), 0);
            g.add(b + "attn_output.bias", GgmlType.F32, new long[] {d}, w.get(p + "attn.c_proj.bias"), 0);
            g.add(b + "ffn_norm.weight", GgmlType.F32, new long[] {d}, w.get(p + "ln_2.weight"), 0);
            g.add(b + "ffn_norm.bias", GgmlType.F32, new long[] {d}, w.get(p + "ln_2.bias"), 0);
            g.add(b + "ffn_up.weight", GgmlType.F32, new long[] {f, d}, transpose(w.get(p + "mlp.c_fc.weight"), d, f), 0);
            g.add(b + "ffn_up.bias", GgmlType.F32, new long[] {f}, w.get(p + "mlp.c_fc.bias"), 0);
            g.add(b + "ffn_down.weight", GgmlType.F32, new long[] {d, f}, transpose(w.get(p + "mlp.c_proj.weight"), f, d), 0);
            g.add(b + "ffn_down.bias", GgmlType.F32, new long[] {d}, w.get(p + "mlp.c_proj.bias"), 0);
        }
        g.add("output_norm.weight", GgmlType.F32, new long[] {d}, w.get("ln_f.weight"), 0);
        g.add("output_norm.bias", GgmlType.F32, new long[] {d}, w.get("ln_f.bias"), 0);
        g.write(dir.resolve("gpt2.gguf"));
        float[] expected = new NaiveReference(c, w).logits(TOKENS);
        try (LoadedModel loaded = ModelLoader.load(dir.resolve("gpt2.gguf"))) {
            assertThat(loaded.config().family()).isEqualTo(Family.GPT2);
            assertThat(loaded.config().tiedHead()).isTrue();
            LanguageModel lm = new LanguageModel(loaded.weights(), POOL);
            assertClose(Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), expected.length), expected, 1e-4f);
        }
    }

    /** [rows, cols] -> [cols, rows]. */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    @Test
    void qwen2AndQwen3GgufKeepRotateHalfAndMapBiasesAndQkNorms(@TempDir Path dir) throws Exception {
        for (String json : List.of(QWEN2, QWEN3)) {
            LmConfig c = HfConfig.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), "config.json");
            String arch = c.family().name();
            Map<String, float[]> w = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            randomWeights(c, "", w, shapes);
            GgufWriter g = new GgufWriter().putString("general.architecture", arch)
                    .putUint32(arch + ".embedding_length", c.dModel()).putUint32(arch + ".block_count", c.nLayer())
                    .putUint32(arch + ".attention.head_count", c.nHead()).putUint32(arch + ".attention.head_count_kv", c.nKvHead())
                    .putUint32(arch + ".attention.key_length", c.headDim()).putUint32(arch + ".feed_forward_length", c.dFf())
                    .putUint32(arch + ".context_length", c.contextLength())
                    .putFloat32(arch + ".attention.layer_norm_rms_epsilon", c.normEps()).putFloat32(arch + ".rope.freq_base", (float) c.ropeTheta());
            for (var e : w.entrySet()) g.add(GgufSource.ggufName(e.getKey()), GgmlType.F32, shapes.get(e.getKey()), e.getValue(), 0);
            Path file = dir.resolve(arch + ".gguf");
            g.write(file);
            float[] expected = new NaiveReference(c, w).logits(TOKENS);
            try (LoadedModel loaded = ModelLoader.load(file)) {
                assertThat(loaded.config().family()).isEqualTo(c.family());
                assertThat(loaded.config().ropeLayout()).isEqualTo(RopeLayout.ROTATE_HALF);
                assertThat(loaded.config().tiedHead()).isEqualTo(c.tiedHead());
                LanguageModel lm = new LanguageModel(loaded.weights(), POOL);
                assertClose(Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), expected.length), expected, 1e-4f);
            }
        }
    }

    private static int[] greedy(LanguageModel lm, int n) {
        List<Integer> out = new ArrayList<>();
        new Generator(lm).generate(new int[] {1, 5}, n, new Sampler(Sampler.Settings.greedy()), new int[0], t -> out.add(t));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** llama.cpp's convert_hf_to_gguf permute: within each head, rows (half s, index j) move to 2j + s. */
    private static float[] permute(float[] w, int heads, int cols) {
        int rows = w.length / cols, hd = rows / heads, half = hd / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++)
            for (int s = 0; s < 2; s++)
                for (int j = 0; j < half; j++)
                    System.arraycopy(w, (h * hd + s * half + j) * cols, out, (h * hd + 2 * j + s) * cols, cols);
        return out;
    }

    private static void writeLlamaGguf(Path file, LmConfig c, Map<String, float[]> w, Map<String, long[]> shapes) throws IOException {
        GgufWriter g = new GgufWriter().putString("general.architecture", "llama")
                .putUint32("llama.embedding_length", c.dModel()).putUint32("llama.block_count", c.nLayer())
                .putUint32("llama.attention.head_count", c.nHead()).putUint32("llama.attention.head_count_kv", c.nKvHead())
                .putUint32("llama.feed_forward_length", c.dFf()).putUint32("llama.context_length", c.contextLength())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", c.normEps()).putFloat32("llama.rope.freq_base", (float) c.ropeTheta());
        for (var e : w.entrySet()) {
            String name = e.getKey();
            float[] data = e.getValue();
            if (name.endsWith("q_proj.weight")) data = permute(data, c.nHead(), c.dModel());
            if (name.endsWith("k_proj.weight")) data = permute(data, c.nKvHead(), c.dModel());
            g.add(GgufSource.ggufName(name), GgmlType.F32, shapes.get(name), data, 0);
        }
        // Llama 3 frequency scaling travels as per-pair divisors of the base frequencies
        double[] base = RopeScaling.NONE.inverseFrequencies(c.ropeTheta(), c.headDim());
        double[] scaled = c.ropeScaling().inverseFrequencies(c.ropeTheta(), c.headDim());
        float[] factors = new float[base.length];
        for (int i = 0; i < base.length; i++) factors[i] = (float) (base[i] / scaled[i]);
        g.add("rope_freqs.weight", GgmlType.F32, new long[] {factors.length}, factors, 0);
        g.write(file);
    }

    static void randomWeights(LmConfig c, String gpt2Prefix, Map<String, float[]> w, Map<String, long[]> shapes) {
        SplittableRandom r = new SplittableRandom(c.nLayer() * 31L + c.headDim());
        int d = c.dModel(), f = c.dFf(), v = c.vocabSize();
        if (c.family() == Family.GPT2) {
            String t = gpt2Prefix;
            put(w, shapes, r, t + "wte.weight", 0.3f, v, d);
            put(w, shapes, r, t + "wpe.weight", 0.1f, c.contextLength(), d);
            for (int l = 0; l < c.nLayer(); l++) {
                String p = t + "h." + l + ".";
                norm(w, shapes, r, p + "ln_1", true, d);
                put(w, shapes, r, p + "attn.c_attn.weight", 0.2f, d, 3 * d);
                put(w, shapes, r, p + "attn.c_attn.bias", 0.1f, 3 * d);
                put(w, shapes, r, p + "attn.c_proj.weight", 0.2f, d, d);
                put(w, shapes, r, p + "attn.c_proj.bias", 0.1f, d);
                norm(w, shapes, r, p + "ln_2", true, d);
                put(w, shapes, r, p + "mlp.c_fc.weight", 0.2f, d, f);
                put(w, shapes, r, p + "mlp.c_fc.bias", 0.1f, f);
                put(w, shapes, r, p + "mlp.c_proj.weight", 0.2f, f, d);
                put(w, shapes, r, p + "mlp.c_proj.bias", 0.1f, d);
            }
            norm(w, shapes, r, t + "ln_f", true, d);
            return;
        }
        put(w, shapes, r, "model.embed_tokens.weight", 0.3f, v, d);
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "model.layers." + l + ".", a = p + "self_attn.";
            norm(w, shapes, r, p + "input_layernorm", false, d);
            put(w, shapes, r, a + "q_proj.weight", 0.2f, c.qWidth(), d);
            put(w, shapes, r, a + "k_proj.weight", 0.2f, c.kvWidth(), d);
            put(w, shapes, r, a + "v_proj.weight", 0.2f, c.kvWidth(), d);
            if (c.family().qkvBias()) {
                put(w, shapes, r, a + "q_proj.bias", 0.3f, c.qWidth());
                put(w, shapes, r, a + "k_proj.bias", 0.3f, c.kvWidth());
                put(w, shapes, r, a + "v_proj.bias", 0.3f, c.kvWidth());
            }
            if (c.family().qkNorm()) {
                norm(w, shapes, r, a + "q_norm", false, c.headDim());
                norm(w, shapes, r, a + "k_norm", false, c.headDim());
            }
            put(w, shapes, r, a + "o_proj.weight", 0.2f, d, c.qWidth());
            norm(w, shapes, r, p + "post_attention_layernorm", false, d);
            put(w, shapes, r, p + "mlp.gate_proj.weight", 0.2f, f, d);
            put(w, shapes, r, p + "mlp.up_proj.weight", 0.2f, f, d);
            put(w, shapes, r, p + "mlp.down_proj.weight", 0.2f, d, f);
        }
        norm(w, shapes, r, "model.norm", false, d);
        if (!c.tiedHead()) put(w, shapes, r, "lm_head.weight", 0.3f, v, d);
    }

    private static void norm(Map<String, float[]> w, Map<String, long[]> shapes, SplittableRandom r, String prefix, boolean bias, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = 1 + (float) (r.nextDouble() - 0.5) * 0.4f;
        w.put(prefix + ".weight", g);
        shapes.put(prefix + ".weight", new long[] {n});
        if (bias) put(w, shapes, r, prefix + ".bias", 0.1f, n);
    }

    private static void put(Map<String, float[]> w, Map<String, long[]> shapes, SplittableRandom r, String name, float std, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        float[] data = new float[(int) n];
        for (int i = 0; i < n; i++) data[i] = (float) (r.nextGaussian() * std);
        w.put(name, data);
        shapes.put(name, shape);
    }

    static void writeSafetensors(Path file, Map<String, float[]> w, Map<String, long[]> shapes) throws IOException {
        SafetensorsWriter out = new SafetensorsWriter();
        for (var e : w.entrySet()) out.addFloats(e.getKey(), shapes.get(e.getKey()), e.getValue(), 0);
        out.write(file);
    }

    static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++)
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(tol * Math.max(1, scale));
    }
}
