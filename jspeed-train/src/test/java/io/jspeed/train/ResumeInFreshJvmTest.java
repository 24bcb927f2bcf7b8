package io.jspeed.train;

import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run stopped halfway and resumed by another JVM (nothing shared but the run directory) ends with the same
 * parameters and AdamW moments, bit for bit, as the run that never stopped.
 */
class ResumeInFreshJvmTest {

    private static final int THREADS = 2;
    private static final Parallel POOL = new Parallel(THREADS);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** The other JVM: resumes the run directory args[0] with no overrides. */
    public static void main(String[] args) throws IOException {
        try (Parallel pool = new Parallel(THREADS)) {
            TrainingRun.resume(Path.of(args[0]), Map.of(), RankContext.single(pool), TrainingListener.NONE);
        }
    }

    @Test
    void resumedInAnotherJvmMatchesTheUninterruptedRunBitForBit(@TempDir Path tmp) throws Exception {
        Path corpus = TrainingRunTest.writeCorpus(tmp);
        Path full = tmp.resolve("out/full"), split = tmp.resolve("out/split");
        Map<String, String> o = TrainingRunTest.tinyOverrides(corpus, tmp.resolve("out"), 6, "bytes");
        o.put("training.checkpoint_every", "3");
        TrainConfig config = ConfigLoader.load(null, o);
        TrainingRun.start(config, full, RankContext.single(POOL), TrainingListener.NONE);
        assertThatThrownBy(() -> TrainingRun.start(config, split, RankContext.single(POOL), stopAfterCheckpoint(3))).isInstanceOf(Stop.class);
        assertThat(Checkpointer.resolve(split).getFileName().toString()).isEqualTo("checkpoint-000003");

        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), ResumeInFreshJvmTest.class.getName(), split.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as("child JVM exit code; its output:%n%s", Files.readString(tmp.resolve("child.log"))).isZero();

        Path a = Checkpointer.resolve(full), b = Checkpointer.resolve(split);
        assertThat(b.getFileName().toString()).isEqualTo("checkpoint-000006");
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertThat(Files.mismatch(a.resolve(file), b.resolve(file))).as("first differing byte of %s", file).isEqualTo(-1L);
        }
        assertThat(TrainingRunTest.trainLosses(split)).containsExactlyElementsOf(TrainingRunTest.trainLosses(full));
    }

    private static final class Stop extends RuntimeException {}

    private static TrainingListener stopAfterCheckpoint(int step) {
        return new TrainingListener() {
            @Override
            public void onCheckpoint(int s, Path dir) {
                if (s == step) throw new Stop();
            }
        };
    }
}
