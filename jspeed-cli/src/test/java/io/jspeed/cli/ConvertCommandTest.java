package io.jspeed.cli;

import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.tokenizer.ByteTokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.RankContext;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `jspeed convert` end to end: a run with jspeed's byte tokenizer generates the same text from its GGUF and Hugging Face exports. */
class ConvertCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            var cli = Main.commandLine();
            cli.setErr(new PrintWriter(err));
            return new Run(cli.execute(args), out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    /** A llama run with random weights and the 256-byte tokenizer. */
    private Path byteRun() throws Exception {
        TrainConfig cfg = ConfigLoader.load(null, Map.of("model.type", "llama", "model.n_layer", "1", "model.d_model", "32",
                "model.n_head", "2", "model.n_kv_head", "1", "model.seq_len", "32"));
        Path run = dir.resolve("run");
        try (Parallel pool = new Parallel(1)) {
            TransformerLM lm = new TransformerLM(TrainingRun.modelSpec(cfg.model(), 256), pool);
            ZeroEngine engine = new ZeroEngine(lm, RankContext.single(pool).group(), ZeroOptions.stage(0), false,
                    new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), pool, (i, dst) -> lm.initializeBlock(i, 11, dst));
            Checkpointer.save(run, lm.paramBlocks(), engine, new TrainerState(1, 1, 0, 256, cfg.toJson()));
        }
        AtomicFiles.writeString(run.resolve("tokenizer.json"), new ByteTokenizer().toJson());
        return run;
    }

    @Test
    void exportsOfAByteTokenizerRunGenerateTheSameText() throws Exception {
        Path run = byteRun();
        Run gguf = run("convert", "--to", "gguf", "--type", "f32", run.toString(), dir.resolve("m.gguf").toString());
        assertThat(gguf.exit()).as(gguf.err()).isZero();
        assertThat(gguf.out()).contains("wrote").contains("gguf llama, matrices F32, tokenizer gpt2/gpt-2");
        Run hf = run("convert", "--to", "safetensors", run.toString(), dir.resolve("hf").toString());
        assertThat(hf.exit()).as(hf.err()).isZero();
        assertThat(hf.out()).contains("safetensors LlamaForCausalLM, F32");
        assertThat(dir.resolve("hf/tokenizer.json")).content().contains("\"ByteLevel\"");
        String[] gen = {"--prompt", "public static", "--max-tokens", "12", "--temperature", "0", "--threads", "1"};
        String want = run(concat(new String[] {"generate", "--model", run.toString()}, gen)).out();
        assertThat(want).startsWith("public static");
        for (String model : new String[] {"m.gguf", "hf"})
            assertThat(run(concat(new String[] {"generate", "--model", dir.resolve(model).toString()}, gen)).out()).as(model).isEqualTo(want);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path run = byteRun();
        Run to = run("convert", "--to", "onnx", run.toString(), dir.resolve("o").toString());
        assertThat(to.exit()).isEqualTo(2);
        assertThat(to.err()).contains("--to onnx: expected gguf or safetensors").doesNotContain("Exception");
        Run type = run("convert", "--to", "safetensors", "--type", "q4_0", run.toString(), dir.resolve("o").toString());
        assertThat(type.err()).contains("--type q4_0: safetensors export writes f32, f16 or bf16");
        Path zip = dir.resolve("model.gguf");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        Run notModel = run("convert", zip.toString(), dir.resolve("o.gguf").toString());
        assertThat(notModel.exit()).isEqualTo(2);
        assertThat(notModel.err()).contains("model.gguf is neither a GGUF file nor a model directory");
        Files.createDirectories(dir.resolve("taken")).resolve("x").toFile().createNewFile();
        Run taken = run("convert", "--to", "safetensors", run.toString(), dir.resolve("taken").toString());
        assertThat(taken.err()).contains("taken already exists; convert --to safetensors writes a new folder");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
