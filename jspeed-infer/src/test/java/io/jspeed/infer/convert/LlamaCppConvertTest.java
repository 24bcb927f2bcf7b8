package io.jspeed.infer.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.infer.model.HfTestFolders;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jspeed.infer.convert.ModelConverter.Format.GGUF;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GGUF files jspeed converts load in llama.cpp, which tokenizes their vocabularies as Hugging Face does (the
 * fixtures' reference ids) and greedy-decodes the same tokens as jspeed on the same file. Needs the llama.cpp peer
 * binaries at ../shared/peers/llama.cpp/bin (searched upward); skipped with a notice where they are absent.
 */
class LlamaCppConvertTest {

    private static final Parallel POOL = new Parallel(2);
    private static final String PROMPT = "public static void";
    private static Path bin;

    @BeforeAll
    static void findLlamaCpp() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/peers/llama.cpp/bin");
            if (Files.isExecutable(candidate.resolve("llama-simple")) && Files.isExecutable(candidate.resolve("llama-tokenize"))) {
                bin = candidate;
                return;
            }
        }
        System.err.println("NOTICE: LlamaCppConvertTest skipped: no shared/peers/llama.cpp/bin above " + Path.of("").toAbsolutePath());
    }

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static byte[] run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, bin.resolve(command[0]).toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly(); // a guard against a hung child, not a measurement
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + new String(out, StandardCharsets.UTF_8)).isZero();
        return out;
    }

    /** llama-simple's greedy continuation holds the bytes of jspeed's greedy tokens on the same file. */
    private static void greedyAgrees(Path gguf, String prompt, int n) throws Exception {
        byte[] theirs = run("llama-simple", "-m", gguf.toString(), "-n", Integer.toString(n), prompt);
        try (LoadedModel m = ModelLoader.load(gguf)) {
            Tokenizer t = m.requireTokenizer();
            LanguageModel lm = new LanguageModel(m.weights(), POOL);
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            List<Integer> ids = new ArrayList<>();
            new Generator(lm).generate(m.special().prompt(t.encode(prompt)), n, new Sampler(Sampler.Settings.greedy()), m.special().eos(), id -> {
                ids.add(id);
                ours.writeBytes(t.tokenBytes(id));
                return true;
            });
            assertThat(ours.size()).as("jspeed generated text").isGreaterThan(n / 2);
            assertThat(indexOf(theirs, ours.toByteArray())).as("llama.cpp's output %s holds jspeed's tokens %s (%s)",
                    new String(theirs, StandardCharsets.UTF_8), ids, ours.toString(StandardCharsets.UTF_8)).isGreaterThanOrEqualTo(0);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Test
    void jspeedRunsDecodeAlikeInLlamaCpp(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(bin != null, "llama.cpp binaries not found");
        for (String type : new String[] {"gpt2", "llama"}) {
            Path run = TestModels.jspeedRun(dir.resolve(type), type, 64, POOL);
            for (String quant : new String[] {"f32", "q8_0"}) {
                Path gguf = dir.resolve(type + "-" + quant + ".gguf");
                ModelConverter.convert(run, gguf, GGUF, quant);
                if (quant.equals("f32")) greedyAgrees(gguf, PROMPT, 12);
                else run("llama-simple", "-m", gguf.toString(), "-n", "4", PROMPT); // loads and runs
            }
        }
    }

    /** Hugging Face folders with real vocabularies (SentencePiece, Llama 3 and Qwen byte-level BPE), random small weights. */
    @Test
    void huggingFaceVocabulariesTokenizeAsHuggingFaceInLlamaCpp(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(bin != null, "llama.cpp binaries not found");
        String[][] cases = {{"llama2", HfTestFolders.LLAMA, "32000"}, {"llama3", HfTestFolders.LLAMA, "128256"},
                {"qwen3", HfTestFolders.QWEN2, "151936"}};
        for (String[] c : cases) {
            Path src = dir.resolve(c[0]);
            HfTestFolders.write(src, TestModels.withVocab(c[1], Integer.parseInt(c[2])).replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
            TestModels.tokenizerFiles(c[0], src);
            Path gguf = dir.resolve(c[0] + ".gguf");
            ModelConverter.convert(src, gguf, GGUF, "f32");
            int compared = 0;
            for (JsonNode k : new ObjectMapper().readTree(TestModels.TOKENIZERS.resolve(c[0]).resolve("expected.json").toFile()).get("cases")) {
                String text = k.get("text").asText();
                if (text.isEmpty() || compared >= 14) continue;
                // Qwen's tokenizer.json NFC-normalizes; llama.cpp does not (its own converter has the same gap)
                if (c[0].equals("qwen3") && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) continue;
                Path file = dir.resolve("prompt.txt");
                Files.writeString(file, text);
                String ids = new String(run("llama-tokenize", "-m", gguf.toString(), "-f", file.toString(), "--ids", "--no-escape", "--log-disable"),
                        StandardCharsets.UTF_8).trim();
                assertThat(ids).as(c[0] + ": " + text).isEqualTo(Arrays.toString(ints(k.get("ids"))));
                compared++;
            }
            greedyAgrees(gguf, "Hello world", 8);
        }
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
        return out;
    }
}
