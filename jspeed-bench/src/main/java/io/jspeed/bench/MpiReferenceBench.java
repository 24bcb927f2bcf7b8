package io.jspeed.bench;

import io.jspeed.comm.mpi.MpiLibrary;
import io.jspeed.comm.mpi.MpiUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The C reference for jspeed's MPI allReduce figures: compiles {@code mpi_allreduce_bench.c} (shipped in this jar)
 * with the system {@code mpicc}, runs it under {@code mpirun} and returns its rows, to print beside MpiGroup's.
 * It makes the call MpiGroup makes (float, MPI_SUM, in place; "nonblocking" also polls MPI_Iallreduce like MpiGroup)
 * with the size schedule and iteration counts of {@link #iterations(long)}.
 */
public final class MpiReferenceBench {

    /** One size: the slowest rank's mean seconds per call and the derived bandwidths (busbw = algbw·2(n-1)/n). */
    public record Row(long bytes, long iterations, double seconds, double algbwGBs, double busbwGBs) {
        @Override
        public String toString() {
            return "%,d B x%d: %.2f us, algbw %.2f GB/s, busbw %.2f GB/s".formatted(bytes, iterations, seconds * 1e6,
                    algbwGBs, busbwGBs);
        }
    }

    private static final String SOURCE = "mpi_allreduce_bench.c";
    /** What mpirun needs here: root in containers, more ranks than cores, no CMA (see DESIGN.md). */
    static final List<String> MPIRUN_FLAGS = List.of("--allow-run-as-root", "--oversubscribe",
            "--mca", "btl_vader_single_copy_mechanism", "none");

    private final Path binary;

    private MpiReferenceBench(Path binary) {
        this.binary = binary;
    }

    /** The C program's iteration count for a size (after 2 warm-up calls): clamp(1 GiB / bytes, 5, 200). */
    public static long iterations(long bytes) {
        return Math.clamp((1L << 30) / bytes, 5, 200);
    }

    /**
     * Why the reference cannot run here (mpicc, mpirun or libmpi missing), as one line ending with the install
     * command; empty when it can.
     */
    public static Optional<String> unavailable() {
        for (String tool : List.of("mpicc", "mpirun")) {
            if (onPath(tool).isEmpty()) {
                return Optional.of("MPI reference benchmark skipped: " + tool + " is not on PATH; install it with: "
                        + MpiLibrary.INSTALL_HINT);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes the C source into {@code workDir} (e.g. target/) and compiles it there with mpicc -O2.
     *
     * @throws MpiUnavailableException when mpicc or mpirun is missing (see {@link #unavailable()})
     */
    public static MpiReferenceBench compile(Path workDir) {
        unavailable().ifPresent(why -> {
            throw new MpiUnavailableException(why);
        });
        try {
            Files.createDirectories(workDir);
            Path source = workDir.resolve(SOURCE);
            try (InputStream in = MpiReferenceBench.class.getResourceAsStream("c/" + SOURCE)) {
                if (in == null) throw new IllegalStateException(SOURCE + " is missing from jspeed-bench's jar");
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            Path binary = workDir.resolve("mpi_allreduce_bench");
            Result r = exec(List.of("mpicc", "-O2", "-o", binary.toString(), source.toString()), 120);
            if (r.exitCode != 0) throw new IllegalStateException("mpicc failed on " + source + ":\n" + r.output);
            return new MpiReferenceBench(binary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the MPI reference benchmark into " + workDir, e);
        }
    }

    /**
     * Runs {@code mpirun -np ranks} over sizes minBytes..maxBytes (factors of 4).
     *
     * @param nonblocking MPI_Iallreduce + MPI_Test (MpiGroup's calls) instead of MPI_Allreduce
     */
    public List<Row> run(int ranks, long minBytes, long maxBytes, boolean nonblocking) {
        if (ranks < 1) throw new IllegalArgumentException("ranks must be >= 1, got " + ranks);
        if (minBytes < 4 || maxBytes < minBytes) {
            throw new IllegalArgumentException("need 4 <= minBytes <= maxBytes, got " + minBytes + " and " + maxBytes);
        }
        List<String> cmd = new ArrayList<>(List.of("mpirun"));
        cmd.addAll(MPIRUN_FLAGS);
        cmd.addAll(List.of("-np", Integer.toString(ranks), binary.toString(), Long.toString(minBytes),
                Long.toString(maxBytes), nonblocking ? "nonblocking" : "blocking"));
        Result r = exec(cmd, 3600);
        if (r.exitCode != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + r.output);
        return parse(r.output);
    }

    static List<Row> parse(String output) {
        List<Row> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 5 || !f[0].matches("\\d+")) continue; // headers, mpirun's notices
            rows.add(new Row(Long.parseLong(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4])));
        }
        return rows;
    }

    private record Result(int exitCode, String output) {}

    /** Output goes to a temp file, not a pipe, so a hung mpirun cannot block the read past the timeout. */
    private static Result exec(List<String> cmd, long timeoutSeconds) {
        Path log = null;
        try {
            log = Files.createTempFile("jspeed-mpi-reference", ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd.getFirst(), e);
        } finally {
            if (log != null) log.toFile().delete();
        }
    }

    private static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return Optional.of(Path.of(dir, program));
        }
        return Optional.empty();
    }

    /** Quick look without the CLI: {@code MpiReferenceBench [ranks] [maxBytes] [blocking|nonblocking]}. */
    public static void main(String[] args) {
        Optional<String> why = unavailable();
        if (why.isPresent()) {
            System.err.println(why.get());
            return;
        }
        int ranks = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long max = args.length > 1 ? Long.parseLong(args[1]) : 256L << 20;
        boolean nonblocking = args.length > 2 && args[2].equals("nonblocking");
        for (Row row : compile(Path.of("target")).run(ranks, 1024, max, nonblocking)) System.out.println(row);
    }
}
