package io.jspeed.comm.mpi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs {@link MpiCollectivesCheck} as real MPI ranks under mpirun. Skipped, loudly, when Open MPI is not installed.
 */
class MpiGroupTest {

    private static final String SKIPPED = "MPI tests SKIPPED: %s; install Open MPI to run them: apt-get update && "
            + MpiLibrary.INSTALL_HINT;

    private static Path mpirun;
    private static String skipped;

    @BeforeAll
    static void findMpirun() {
        mpirun = onPath("mpirun");
        String missing = mpirun == null ? "mpirun is not on PATH" : MpiLibrary.isInstalled() ? null : "libmpi is not installed";
        if (missing != null) {
            skipped = SKIPPED.formatted(missing);
            System.err.println(skipped);
        }
    }

    /** Per test rather than in @BeforeAll, so the summary counts every MPI test as skipped instead of showing none. */
    @BeforeEach
    void requireMpi() {
        assumeTrue(skipped == null, skipped);
    }

    @Test
    void everyCollectiveMatchesANaiveReductionOnTwoRanks() throws Exception {
        expectAllRanksOk(2);
    }

    @Test
    void everyCollectiveMatchesANaiveReductionOnThreeRanks() throws Exception {
        expectAllRanksOk(3);
    }

    @Test
    void aRankThatSkipsACollectiveMakesItsPeerFailWithANamedErrorAndAbort() throws Exception {
        Result r = launch(2, "deadline");
        assertThat(r.output()).contains("MPI-DEADLINE rank=1")
                .contains("jspeed: MPI broadcast timed out after 1.500 s on group 'world' (collective #1 of that group), rank 1 of 2")
                .contains("MPI-DEADLINE then refused: MPI group 'world' is unusable since broadcast #1 timed out")
                .doesNotContain("rank 0 was not aborted")
                .doesNotContain("the broken group ran another collective")
                .doesNotContain("completed a collective rank 0 skipped");
        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
    }

    @Test
    void aRankThatSkipsABlockingCollectiveIsReportedByTheWatchdogWhichAbortsTheJob() throws Exception {
        long t0 = System.nanoTime();
        Result r = launch(2, "watchdog");
        assertThat(r.output()).contains("jspeed: MPI allReduce timed out after 1.500 s on group 'world' (collective #1 of that group), rank 1 of 2")
                .contains("aborting the job (MPI_Abort)")
                .doesNotContain("rank 0 was not aborted")
                .doesNotContain("completed a collective rank 0 skipped");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds until the job ended").isLessThan(40);
    }

    private static void expectAllRanksOk(int ranks) throws Exception {
        Result r = launch(ranks, "collectives");
        assertThat(r.exitCode()).as(r.output()).isZero();
        for (int rank = 0; rank < ranks; rank++) {
            assertThat(r.output()).as(r.output()).containsPattern("MPI-CHECK OK rank=" + rank + " size=" + ranks + " checks=\\d+");
        }
        assertThat(r.output()).doesNotContain("MPI-CHECK FAIL");
    }

    private record Result(int exitCode, String output) {}

    private static Result launch(int ranks, String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe",
                "--mca", "btl_vader_single_copy_mechanism", "none", "-np", Integer.toString(ranks),
                // pieces of 2000 bytes: the larger counts of the check cross piece boundaries, the smaller ones do not
                java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djspeed.mpi.pieceBytes=2000",
                "-cp", System.getProperty("java.class.path"), MpiCollectivesCheck.class.getName(), mode));
        Path log = Files.createTempFile("jspeed-mpi-test", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                throw new AssertionError("mpirun -np " + ranks + " " + mode + " did not finish in 60 s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(p)) return p;
        }
        return null;
    }
}
