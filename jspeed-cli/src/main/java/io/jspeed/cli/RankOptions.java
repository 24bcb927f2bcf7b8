package io.jspeed.cli;

import io.jspeed.comm.local.LocalCluster;
import io.jspeed.comm.mpi.MpiGroup;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.RankContext;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How a command's data-parallel ranks are started: as threads of this JVM (the embedded default) or as the
 * processes of an MPI job, each with its own worker pool. Shared by train and bench.
 */
final class RankOptions {

    /** The work of one rank. */
    @FunctionalInterface
    interface RankBody<T> {
        T run(RankContext rank) throws Exception;
    }

    @Option(names = "--ranks", paramLabel = "N", description = "Data-parallel ranks as threads in this JVM (backend local; default 1).")
    Integer ranks;

    @Option(names = "--threads-per-rank", paramLabel = "T", description = "Worker threads of each rank (default: cores / ranks, at least 1).")
    Integer threadsPerRank;

    @Option(names = "--backend", paramLabel = "local|mpi", description = "local: ranks are threads of this JVM; mpi: this process is one rank of an mpirun job (default: ${DEFAULT-VALUE}).",
            defaultValue = "local")
    String backend;

    @Option(names = "--memory-per-rank", paramLabel = "BYTES", description = "Budget for each rank's model states, e.g. 512MiB or 2GiB; a run that needs more is refused before it starts, naming the stage that would fit.")
    String memoryPerRank;

    /** The data-parallel world size this process will take part in (MPI: from the launcher's environment). */
    int worldSize() {
        if (backend.equals("mpi")) {
            if (ranks != null) throw new IllegalArgumentException("--ranks is for the local backend; with --backend mpi the world size is mpirun's -np");
            for (String var : new String[] {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
                String v = System.getenv(var);
                if (v != null) return Integer.parseInt(v.strip());
            }
            throw new IllegalArgumentException("--backend mpi: not started by mpirun (no OMPI_COMM_WORLD_SIZE); run e.g. mpirun -np 2 ./jspeed train --backend mpi");
        }
        return localRanks();
    }

    /** Whether this process prints for the run (every process of the local backend; rank 0 of an MPI job). */
    boolean leaderProcess() {
        return !backend.equals("mpi") || "0".equals(System.getenv("OMPI_COMM_WORLD_RANK"));
    }

    /** Processes of this job on this host (MPI's local size; 1 for the local backend, whose ranks share one JVM). */
    int processesOnHost() {
        String local = backend.equals("mpi") ? System.getenv("OMPI_COMM_WORLD_LOCAL_SIZE") : null;
        return local == null ? 1 : Integer.parseInt(local.strip());
    }

    /** A default run name every process of the job agrees on (an MPI job's id; else the time). */
    String defaultRunName() {
        String job = backend.equals("mpi") ? System.getenv("OMPI_MCA_ess_base_jobid") : null;
        return job != null ? "run-mpi-" + job
                : "run-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    int localRanks() {
        return ranks == null ? 1 : ranks;
    }

    long memoryBudgetBytes() {
        return memoryPerRank == null ? 0 : parseBytes(memoryPerRank);
    }

    /** Runs body on every rank and returns rank 0's result; the first failure ends every rank and is rethrown. */
    <T> T launch(Duration timeout, int fallbackThreads, RankBody<T> body) {
        if (!backend.equals("local") && !backend.equals("mpi"))
            throw new IllegalArgumentException("--backend " + backend + ": expected local or mpi");
        if (backend.equals("mpi")) return MpiLaunch.run(this, timeout, fallbackThreads, body);
        int n = localRanks();
        if (n < 1) throw new IllegalArgumentException("--ranks " + n + ": expected at least 1");
        int threads = threadsFor(n, fallbackThreads);
        List<T> results = LocalCluster.call(n, timeout, group -> {
            try (Parallel pool = new Parallel(threads)) {
                return body.run(new RankContext(group, pool, memoryBudgetBytes()));
            }
        });
        return results.getFirst();
    }

    /** Threads per rank: the flag, else the config's thread count (0 = all cores) shared among the ranks. */
    int threadsFor(int rankCount, int fallbackThreads) {
        if (threadsPerRank != null) {
            if (threadsPerRank < 1) throw new IllegalArgumentException("--threads-per-rank " + threadsPerRank + ": expected at least 1");
            return threadsPerRank;
        }
        int cores = fallbackThreads > 0 ? fallbackThreads : Runtime.getRuntime().availableProcessors();
        return Math.max(1, cores / rankCount);
    }

    static long parseBytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"gib", "1073741824"}, {"mib", "1048576"}, {"kib", "1024"}, {"gb", "1000000000"}, {"mb", "1000000"},
                {"kb", "1000"}, {"b", "1"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0)) throw new NumberFormatException();
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--memory-per-rank " + text + ": expected a positive size such as 512MiB, 2GiB or 1500000000");
        }
    }

    /**
     * This process as one rank of an mpirun job. Any failure aborts the whole job (MPI_Abort), so the peers end at
     * once instead of waiting for their deadline; the failing rank has reported first.
     */
    static final class MpiLaunch {
        static <T> T run(RankOptions o, Duration timeout, int fallbackThreads, RankBody<T> body) {
            if (o.ranks != null) throw new IllegalArgumentException("--ranks is for the local backend; with --backend mpi the world size is mpirun's -np");
            MpiGroup world = MpiGroup.world(timeout);
            int threads = o.threadsPerRank != null ? o.threadsFor(1, fallbackThreads) : perProcessThreads(o.processesOnHost(), fallbackThreads);
            T result;
            try (Parallel pool = new Parallel(threads)) {
                result = body.run(new RankContext(world, pool, o.memoryBudgetBytes()));
            } catch (Throwable t) {
                System.err.println("jspeed: rank " + world.rank() + " of " + world.size() + " failed: " + t);
                System.err.flush();
                world.abort(1);
                throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
            }
            world.close();
            return result;
        }

        /** Ranks on one host share its cores, as in-process ranks do (mpirun sets the local size). */
        private static int perProcessThreads(int onHost, int fallbackThreads) {
            int cores = fallbackThreads > 0 ? fallbackThreads : Runtime.getRuntime().availableProcessors();
            return Math.max(1, cores / onHost);
        }
    }

}
