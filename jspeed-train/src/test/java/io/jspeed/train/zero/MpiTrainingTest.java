package io.jspeed.train.zero;

import io.jspeed.comm.local.LocalCluster;
import io.jspeed.comm.mpi.MpiGroup;
import io.jspeed.comm.mpi.MpiLibrary;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.RankContext;
import io.jspeed.train.Trainer;
import io.jspeed.train.TrainingListener;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.config.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same tiny run as {@link ZeroEquivalenceTest} as two Open MPI processes: the loss sequence and the parameters
 * must be those of one in-process rank. Skipped, loudly, when Open MPI is not installed.
 */
class MpiTrainingTest {

    private static final int STEPS = 50;
    private static String skipped;
    private static Path mpirun;

    @BeforeAll
    static void findMpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "mpirun");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                mpirun = p; // the first on PATH: mpirun derives its prefix from it, and /bin/mpirun would give "/"
                break;
            }
        }
        String missing = mpirun == null ? "mpirun is not on PATH" : MpiLibrary.isInstalled() ? null : "libmpi is not installed";
        if (missing != null) {
            skipped = "MPI training tests SKIPPED: " + missing + "; install Open MPI to run them: apt-get update && " + MpiLibrary.INSTALL_HINT;
            System.err.println(skipped);
        }
    }

    @BeforeEach
    void requireMpi() {
        assumeTrue(skipped == null, skipped);
    }

    /** One MPI rank: trains the tiny run; rank 0 prints its losses on one line. */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int stage = Integer.parseInt(args[1]), steps = Integer.parseInt(args[2]);
        MpiGroup world = MpiGroup.world(Duration.ofSeconds(60));
        try (Parallel pool = new Parallel(1)) {
            TrainConfig cfg = ZeroEquivalenceTest.config(root, "gpt2", steps, world.size(), stage);
            Trainer.Result r = TrainingRun.start(cfg, root.resolve("mpi-run"), new RankContext(world, pool, 0), TrainingListener.NONE);
            if (world.rank() == 0) System.out.println("MPI-LOSSES " + r.losses());
        } catch (Throwable t) {
            t.printStackTrace();
            world.abort(1);
        }
        world.close();
    }

    @ParameterizedTest(name = "stage {0} on 2 MPI ranks")
    @ValueSource(ints = {2, 3})
    void twoMpiRanksMatchOneInProcessRank(int stage, @TempDir Path tmp) throws Exception {
        ZeroEquivalenceTest.writeCorpus(tmp);
        TrainConfig cfg = ZeroEquivalenceTest.config(tmp, "gpt2", STEPS, 1, 0);
        List<Trainer.Result> ref = LocalCluster.call(1, Duration.ofSeconds(60), g -> {
            try (Parallel pool = new Parallel(1)) {
                return TrainingRun.start(cfg, tmp.resolve("ref"), new RankContext(g, pool, 0), TrainingListener.NONE);
            }
        });
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe",
                "--mca", "btl_vader_single_copy_mechanism", "none", "-np", "2",
                java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), MpiTrainingTest.class.getName(), tmp.toString(),
                Integer.toString(stage), Integer.toString(STEPS)));
        Path log = tmp.resolve("mpi.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        String line = out.lines().filter(l -> l.startsWith("MPI-LOSSES ")).findFirst().orElseThrow(() -> new AssertionError(out));
        List<Double> losses = Arrays.stream(line.substring("MPI-LOSSES [".length(), line.length() - 1).split(", "))
                .map(Double::parseDouble).toList();
        List<Double> want = ref.getFirst().losses();
        assertThat(losses).hasSize(STEPS);
        for (int i = 0; i < STEPS; i++)
            assertThat(losses.get(i)).as("loss at step %d", i + 1).isCloseTo(want.get(i), ZeroEquivalenceTest.relative(1e-5, want.get(i)));
        ZeroEquivalenceTest.assertSameTensors(Checkpointer.resolve(tmp.resolve("ref")), Checkpointer.resolve(tmp.resolve("mpi-run")),
                "model.safetensors", 1e-5, 1.0);
    }
}
