package io.jspeed.infer.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.infer.model.HfTestFolders;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.model.RopeLayout;
import io.jspeed.infer.model.RopeScaling;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufTensor;
import io.jspeed.model.tokenizer.HfTokenizer;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.jspeed.infer.convert.ModelConverter.Format.GGUF;
import static io.jspeed.infer.convert.ModelConverter.Format.SAFETENSORS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A model and its GGUF and safetensors exports compute the same thing: the same greedy tokens (fp32 exactly, f16 too
 * for these models) and logits within float rounding, for jspeed runs and Hugging Face folders of every family, and
 * back from GGUF (q/k rows put back in Hugging Face's order, rope_freqs as rope_scaling). GGUF -> safetensors -> GGUF
 * gives the first file's tensors byte for byte. The source's own forward pass is the reference.
 */
public class ModelConverterTest {

    private static final Parallel POOL = new Parallel(2);
    private static final int[] PROMPT = {1, 5, 9, 2};

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** Greedy tokens and prompt logits of a model file. */
    private record Run(int[] tokens, float[] logits) {}

    private static Run run(Path model, int steps) throws Exception {
        try (LoadedModel m = ModelLoader.load(model)) {
            LanguageModel lm = new LanguageModel(m.weights(), POOL);
            float[] logits = Arrays.copyOf(lm.forwardAll(lm.newSequence(), PROMPT), PROMPT.length * m.config().vocabSize());
            return new Run(TestModels.greedy(lm, PROMPT, steps), logits);
        }
    }

    /** Converts {@code source} to GGUF (f32, f16) and safetensors, and the GGUF back to safetensors; all decode alike. */
    private static void exportsDecodeAsTheSource(Path source, Path dir, int steps) throws Exception {
        Run want = run(source, steps);
        Path f32 = dir.resolve("f32.gguf"), f16 = dir.resolve("f16.gguf"), hf = dir.resolve("hf"), back = dir.resolve("back");
        ModelConverter.convert(source, f32, GGUF, "f32");
        ModelConverter.convert(source, f16, GGUF, "f16");
        ModelConverter.convert(source, hf, SAFETENSORS, "f32");
        ModelConverter.convert(f32, back, SAFETENSORS, "f32");
        for (Path p : new Path[] {f32, hf, back}) {
            Run got = run(p, steps);
            assertThat(got.tokens()).as(p.getFileName() + " greedy tokens").containsExactly(want.tokens());
            assertClose(got.logits(), want.logits(), 1e-4f, p.getFileName().toString());
        }
        assertThat(run(f16, steps).tokens()).as("f16 greedy tokens").containsExactly(want.tokens());
    }

    @Test
    void jspeedRunsOfBothFamilies(@TempDir Path dir) throws Exception {
        for (String type : new String[] {"gpt2", "llama"}) {
            Path run = TestModels.jspeedRun(dir.resolve(type), type, 32, POOL);
            exportsDecodeAsTheSource(run, Files.createDirectories(dir.resolve(type + "-out")), 12);
            try (LoadedModel gguf = ModelLoader.load(dir.resolve(type + "-out/f32.gguf")); LoadedModel hf = ModelLoader.load(dir.resolve(type + "-out/hf"));
                 LoadedModel src = ModelLoader.load(run)) {
                assertThat(gguf.config().ropeLayout()).isEqualTo(type.equals("llama") ? RopeLayout.INTERLEAVED : RopeLayout.ROTATE_HALF);
                String text = "public static void main(String[] args) {";
                int[] ids = src.requireTokenizer().encode(text);
                assertThat(gguf.requireTokenizer().encode(text)).isEqualTo(ids);
                assertThat(hf.requireTokenizer().encode(text)).isEqualTo(ids);
            }
        }
    }

    @Test
    void huggingFaceFoldersOfEveryFamily(@TempDir Path dir) throws Exception {
        String[][] cases = {{"llama", HfTestFolders.LLAMA}, {"mistral", HfTestFolders.MISTRAL}, {"qwen2", HfTestFolders.QWEN2},
                {"qwen3", HfTestFolders.QWEN3}, {"gpt2", HfTestFolders.GPT2}};
        for (String[] c : cases) {
            Path src = dir.resolve(c[0]);
            HfTestFolders.write(src, c[1]);
            exportsDecodeAsTheSource(src, Files.createDirectories(dir.resolve(c[0] + "-out")), c[0].equals("gpt2") ? 10 : 16);
        }
        // Llama 3 scaling went to GGUF as rope_freqs.weight and came back as the same rope_scaling
        JsonNode back = new ObjectMapper().readTree(dir.resolve("llama-out/back/config.json").toFile());
        assertThat(back.path("rope_scaling").path("rope_type").asText()).isEqualTo("llama3");
        assertThat(back.path("rope_scaling").path("original_max_position_embeddings").asInt()).isEqualTo(16);
        assertThat(back.path("rope_scaling").path("factor").asDouble()).isEqualTo(8.0);
        try (GgufFile f = GgufFile.open(dir.resolve("llama-out/f32.gguf"))) {
            assertThat(f.contains("rope_freqs.weight")).isTrue();
            assertThat(f.contains("output.weight")).isTrue();
        }
        try (GgufFile f = GgufFile.open(dir.resolve("qwen2-out/f32.gguf"))) {
            assertThat(f.contains("output.weight")).as("a tied head is not written").isFalse();
            assertThat(f.tensor("blk.0.attn_q.bias").type()).isEqualTo(GgmlType.F32);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F32);
        }
        try (GgufFile f = GgufFile.open(dir.resolve("qwen2-out/f16.gguf"))) {
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.metadata().int32("general.file_type")).isEqualTo(1);
        }
        JsonNode gpt2 = new ObjectMapper().readTree(dir.resolve("gpt2-out/back/config.json").toFile());
        assertThat(gpt2.path("architectures").path(0).asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(gpt2.path("tie_word_embeddings").asBoolean()).as("output.weight held the embedding's values").isTrue();
    }

    @Test
    void ggufToSafetensorsToGgufGivesTheSameTensors(@TempDir Path dir) throws Exception {
        for (String[] c : new String[][] {{"llama", HfTestFolders.LLAMA}, {"qwen3", HfTestFolders.QWEN3}}) {
            Path src = dir.resolve(c[0]);
            HfTestFolders.write(src, TestModels.withVocab(c[1], 64).replace("\"intermediate_size\": 40", "\"intermediate_size\": 64"));
            for (String type : new String[] {"f32", "q8_0"}) {
                Path first = dir.resolve(c[0] + "-" + type + ".gguf"), hf = dir.resolve(c[0] + "-" + type + "-hf"), second = dir.resolve(c[0] + "-" + type + "-2.gguf");
                ModelConverter.convert(src, first, GGUF, type);
                ModelConverter.convert(first, hf, SAFETENSORS, "f32");
                ModelConverter.convert(hf, second, GGUF, type);
                try (GgufFile a = GgufFile.open(first); GgufFile b = GgufFile.open(second)) {
                    assertThat(b.tensors()).hasSameSizeAs(a.tensors());
                    for (GgufTensor t : a.tensors()) {
                        GgufTensor u = b.tensor(t.name());
                        assertThat(u.type()).as(t.name()).isEqualTo(t.type());
                        assertThat(u.shape()).as(t.name()).containsExactly(t.shape());
                        assertThat(u.data().toArray(ValueLayout.JAVA_BYTE)).as(t.name() + " " + type).containsExactly(t.data().toArray(ValueLayout.JAVA_BYTE));
                    }
                    if (type.equals("q8_0")) assertThat(a.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.Q8_0);
                    for (String key : a.metadata().keys())
                        if (!key.equals("general.name")) assertThat(b.metadata().value(key)).as(key).isEqualTo(a.metadata().value(key));
                }
            }
        }
    }

    /** A Hugging Face Llama with a SentencePiece tokenizer: the GGUF tokenizes as Hugging Face, and the folder rebuilt from it too. */
    @Test
    void sentencePieceTokenizerTravelsThroughGguf(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("llama");
        HfTestFolders.write(src, TestModels.withVocab(HfTestFolders.LLAMA, 32000));
        TestModels.tokenizerFiles("llama2", src);
        Path gguf = dir.resolve("m.gguf"), back = dir.resolve("back");
        ModelConverter.convert(src, gguf, GGUF, "f32");
        ModelConverter.convert(gguf, back, SAFETENSORS, "f32");
        try (LoadedModel g = ModelLoader.load(gguf); LoadedModel h = ModelLoader.load(back)) {
            assertThat(g.requireTokenizer().encode("Hello world")).containsExactly(22557, 1526); // Hugging Face's ids (expected.json)
            assertThat(g.special().bos()).isEqualTo(1);
            assertThat(g.special().addBos()).isTrue();
            assertThat(g.special().eos()).as("eos_token </s>, and config.json's other end id").containsExactly(2, 7);
            assertThat(((HfTokenizer) h.requireTokenizer()).encode("Hello world", true)).containsExactly(1, 22557, 1526);
            assertThat(h.special().eos()).containsExactly(2, 7);
        }
        assertThat(back.resolve("tokenizer_config.json")).exists();
        JsonNode gen = new ObjectMapper().readTree(back.resolve("generation_config.json").toFile());
        assertThat(gen.path("bos_token_id").asInt()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedByName(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("qwen2");
        HfTestFolders.write(src, HfTestFolders.QWEN2);
        assertThatThrownBy(() -> ModelConverter.convert(src, dir.resolve("o"), SAFETENSORS, "q8_0"))
                .hasMessageContaining("--type q8_0").hasMessageContaining("quantize --to int8");
        assertThatThrownBy(() -> ModelConverter.convert(src, dir.resolve("o.gguf"), GGUF, "bf16"))
                .hasMessageContaining("--type bf16: GGUF export writes f32, f16, q8_0 or q4_0");
        assertThatThrownBy(() -> ModelConverter.format("onnx")).hasMessageContaining("--to onnx: expected gguf or safetensors");
        Files.createDirectories(dir.resolve("taken")).resolve("x").toFile().createNewFile();
        assertThatThrownBy(() -> ModelConverter.convert(src, dir.resolve("taken"), SAFETENSORS, "f32")).hasMessageContaining("taken already exists");
        assertThatThrownBy(() -> ModelConverter.convert(dir.resolve("nothing"), dir.resolve("o.gguf"), GGUF, "f32")).hasMessageContaining("nothing does not exist");
        // a tokenizer llama.cpp has no name for is refused for GGUF, not silently dropped
        Files.writeString(src.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThatThrownBy(() -> ModelConverter.convert(src, dir.resolve("o.gguf"), GGUF, "f32"))
                .hasMessageContaining("model.type \"Unigram\" cannot be converted").hasMessageContaining("GGUF needs a vocabulary");
        assertThat(dir.resolve("o.gguf")).doesNotExist();
        // a tokenizer with more tokens than the embedding has rows
        TestModels.tokenizerFiles("llama2", src);
        assertThatThrownBy(() -> ModelConverter.convert(src, dir.resolve("o.gguf"), GGUF, "f32"))
                .hasMessageContaining("the tokenizer has 32000 tokens but the model's embedding has only 50 rows");
        // rope_freqs that no Llama 3 scaling makes cannot become a config.json
        assertThatThrownBy(() -> RopeFreqs.fit(new float[] {1, 3, 2, 8}, 10000, 8)).hasMessageContaining("rope_freqs.weight [1.0, 3.0, 2.0, 8.0]");
        assertThat(RopeFreqs.fit(RopeFreqs.factors(RopeScaling.llama3(32, 1, 4, 8192), 500000, 128), 500000, 128))
                .isEqualTo(RopeScaling.llama3(32, 1, 4, 8192));
    }

    public static void assertClose(float[] actual, float[] expected, float tol, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++)
            assertThat(Math.abs(actual[i] - expected[i])).as("%s logit %d: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tol * Math.max(1, scale));
    }
}
