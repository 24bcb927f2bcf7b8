package io.jspeed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What a user sees when a command is given bad input: exit code 2 and one line naming the problem. */
class CommandLineTest {

    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    void misspelledConfigKeyIsNamedWithTheNearestKey(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("ds.json");
        Files.writeString(cfg, "{\"train_batch_size\": 8, \"gradient_cliping\": 1.0}");
        Run r = run("train", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("gradient_cliping").contains("gradient_clipping");
    }

    @Test
    void badOverrideValueIsNamed() {
        Run r = run("train", "--set", "model.n_layer=many");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("model.n_layer").contains("many");
    }

    @Test
    void generateWithoutARunSaysWhatToDo(@TempDir Path tmp) {
        Run r = run("generate", "--checkpoint", tmp.resolve("nope").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nope");
    }

    @Test
    void unknownBenchPresetListsTheValidOnes() {
        Run r = run("bench", "train", "--preset", "huge");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("huge").contains("gpt2-124m");
    }

    @Test
    void mpiBackendOutsideMpirunSaysHowToStartIt() {
        Run r = run("bench", "comm", "--backend", "mpi");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not started by mpirun").contains("mpirun -np 2");
        Run t = run("train", "--backend", "mpi");
        assertThat(t.exit()).isEqualTo(2);
        assertThat(t.err()).contains("not started by mpirun");
    }

    @Test
    void commBenchTooLargeForTheHeapSaysSoBeforeAllocating() {
        Run r = run("bench", "comm", "--ranks", "2", "--max-bytes", "1099511627776");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--max-bytes 1099511627776").contains("heap");
    }

    @Test
    void attentionBenchRejectsHeadsThatDoNotGroup() {
        Run r = run("bench", "attention", "--seq", "16", "--heads", "5", "--kv-heads", "2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("qHeads 5").contains("kvHeads 2");
    }

    @Test
    void partitionedActivationsAreRefusedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("ds.json");
        Files.writeString(cfg, "{\"activation_checkpointing\": {\"partition_activations\": true}}");
        Run r = run("train", "--checkpoint-activations", "--config", cfg.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("activation_checkpointing.partition_activations").contains("model parallelism");
    }
}
