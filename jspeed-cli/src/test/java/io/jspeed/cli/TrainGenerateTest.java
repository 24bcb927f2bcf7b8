package io.jspeed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The user's path through the CLI: train a small run, resume it, and generate from it. */
class TrainGenerateTest {

    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine().execute(args);
            assertThat(exit).as("exit code of %s", String.join(" ", args)).isZero();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainResumeAndGenerate(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("corpus.txt");
        Files.writeString(data, "public static void main(String[] args) { System.out.println(args.length); }\n".repeat(200));
        String[] common = {"--data", data.toString(), "--threads", "2", "--set", "training.out_dir=" + tmp.resolve("out"),
                "--set", "data.tokenizer=bytes", "--set", "model.n_layer=1", "--set", "model.d_model=32", "--set", "model.n_head=2",
                "--set", "model.seq_len=32", "--set", "train_batch_size=4", "--set", "train_micro_batch_size_per_gpu=4",
                "--set", "training.eval_every=5", "--set", "training.eval_batches=1", "--set", "training.checkpoint_every=5",
                "--set", "data.eval_fraction=0.2"};
        String[] first = concat(new String[] {"train", "--run", "r", "--steps", "6"}, common);
        String out = run(first);
        Path runDir = tmp.resolve("out/r");
        assertThat(out).contains("done: 6 steps");
        assertThat(runDir.resolve("metrics.jsonl")).isNotEmptyFile();
        assertThat(runDir.resolve("loss.png")).isNotEmptyFile();

        String resumed = run("train", "--resume", runDir.toString(), "--steps", "8");
        assertThat(resumed).contains("resuming").contains("done: 8 steps");

        String[] gen = {"generate", "--checkpoint", runDir.toString(), "--prompt", "public static", "--max-tokens", "12",
                "--temperature", "0", "--threads", "1"};
        String a = run(gen), b = run(gen);
        assertThat(a).startsWith("public static").isEqualTo(b);
        assertThat(a.strip().length()).isGreaterThan("public static".length());

        // --model is the same as --checkpoint; a stop string cuts the output just before it
        String generated = a.substring("public static".length()).strip();
        String stop = generated.substring(generated.length() / 2, generated.length() / 2 + 2);
        String cut = run("generate", "--model", runDir.toString(), "--prompt", "public static", "--max-tokens", "12",
                "--temperature", "0", "--threads", "1", "--stop", stop);
        assertThat(a).startsWith(cut.stripTrailing());
        assertThat(cut).doesNotContain(stop).hasSizeLessThan(a.length());
        String ids = run("generate", "--model", runDir.toString(), "--prompt-ids", "112,117,98", "--print-ids", "-n", "5",
                "--temperature", "0", "--threads", "1");
        assertThat(ids.strip()).matches("\\d+(,\\d+){4}");
        String ppl = run("perplexity", "--model", runDir.toString(), "--data", data.toString(), "--window", "16", "--threads", "1");
        assertThat(ppl).startsWith("perplexity ").contains("windows of 16");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
