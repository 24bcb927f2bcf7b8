package io.jspeed.cli;

import io.jspeed.bench.CommBench;
import io.jspeed.bench.GemmBench;
import io.jspeed.bench.PeakFlops;
import io.jspeed.bench.TrainBench;
import io.jspeed.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: training throughput, GEMM speed, collective bandwidth.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Gemm.class, BenchCommand.Comm.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Appends one JSON line per result to out/bench.jsonl beside the printed table. */
    static void append(String json) {
        try {
            Path file = Path.of("out", "bench.jsonl");
            Files.createDirectories(file.getParent());
            Files.writeString(file, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("jspeed: could not append to out/bench.jsonl: " + e.getMessage());
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training throughput (forward+backward+AdamW) of a preset, same model and batch as ../shared/peers/pytorch-bench.sh.")
    static final class Train implements Runnable {
        @Option(names = "--preset", description = "tiny | small | gpt2-124m (default: ${DEFAULT-VALUE})", defaultValue = "tiny")
        String preset;
        @Option(names = "--steps", description = "Timed steps (default: ${DEFAULT-VALUE})", defaultValue = "20")
        int steps;
        @Option(names = "--warmup", description = "Untimed warmup steps (default: ${DEFAULT-VALUE})", defaultValue = "5")
        int warmup;
        @Option(names = "--threads", description = "Threads of one rank (default: all processors); with --ranks see --threads-per-rank", defaultValue = "0")
        int threads;
        @Option(names = "--zero-stage", description = "ZeRO stage 0-3 (default: ${DEFAULT-VALUE})", defaultValue = "0")
        int zeroStage;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;
        @Mixin
        RankOptions ranks = new RankOptions();

        @Override
        public void run() {
            TrainBench.Preset p = TrainBench.Preset.parse(preset);
            double peak;
            try (Parallel pool = Parallel.withThreads(threads)) {
                peak = PeakFlops.measureGflops(pool);
            }
            TrainBench.Result r = ranks.launch(Duration.ofMinutes(5), threads,
                    rank -> TrainBench.run(p, rank, zeroStage, warmup, steps, peak));
            if (!ranks.leaderProcess()) return;
            append(r.toJson());
            if (json) {
                System.out.println(r.toJson());
                return;
            }
            System.out.printf(Locale.ROOT, "%-10s %5s %7s %5s %9s %12s %10s %7s %12s %12s %14s%n", "preset", "ranks", "threads", "stage", "params",
                    "step ms (med)", "tokens/s", "MFU", "peak GF/s", "peak RSS MiB", "states/rank MiB");
            System.out.printf(Locale.ROOT, "%-10s %5d %7d %5d %9.1fM %12.1f %10.0f %6.1f%% %12.0f %12.0f %14.1f%n", r.preset(), r.ranks(), r.threads(),
                    r.zeroStage(), r.parameters() / 1e6, r.medianStepMs(), r.tokensPerSecond(), 100 * r.mfu(), r.peakGflops(),
                    r.peakRssBytes() / 1048576.0, r.rankMemory().modelStateBytes() / 1048576.0);
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true, description = "fp32 GEMM speed, C[m x n] = A[m x k] * B[k x n].")
    static final class Gemm implements Runnable {
        @Option(names = "--m", defaultValue = "1024") int m;
        @Option(names = "--k", defaultValue = "768") int k;
        @Option(names = "--n", defaultValue = "3072") int n;
        @Option(names = "--threads", split = ",", description = "Thread counts to run (default: 1 and all processors)")
        List<Integer> threads;
        @Option(names = "--iterations", defaultValue = "20") int iterations;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;

        @Override
        public void run() {
            List<Integer> counts = threads != null ? threads : List.of(1, Runtime.getRuntime().availableProcessors());
            if (!json) System.out.printf("%6s %6s %6s %8s %10s %10s%n", "m", "k", "n", "threads", "ms", "GFLOP/s");
            for (int t : counts) {
                GemmBench.Result r = GemmBench.run(m, k, n, t, 10, iterations);
                String line = String.format(Locale.ROOT, "{\"m\":%d,\"k\":%d,\"n\":%d,\"threads\":%d,\"gflops\":%.1f,\"ms\":%.3f}",
                        r.m(), r.k(), r.n(), r.threads(), r.gflops(), r.millis());
                append(line);
                if (json) System.out.println(line);
                else System.out.printf(Locale.ROOT, "%6d %6d %6d %8d %10.3f %10.1f%n", r.m(), r.k(), r.n(), r.threads(), r.millis(), r.gflops());
            }
        }
    }

    @Command(name = "comm", mixinStandardHelpOptions = true,
            description = "Collective bandwidth (algbw/busbw as nccl-tests define them) per collective and size, 1 KiB to --max-bytes, beside memcpy.")
    static final class Comm implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Option(names = "--backend", description = "local | mpi (default: ${DEFAULT-VALUE})", defaultValue = "local")
        String backend;
        @Option(names = "--ranks", description = "In-process ranks for the local backend (default: ${DEFAULT-VALUE})", defaultValue = "2")
        int ranks;
        @Option(names = "--max-bytes", description = "Largest message in bytes; sizes go up by 4x from 1 KiB (default: ${DEFAULT-VALUE})",
                defaultValue = "268435456")
        long maxBytes;
        @Option(names = "--max-iterations", description = "Cap on timed calls per size (default: ${DEFAULT-VALUE})", defaultValue = "500")
        int maxIterations;
        @Option(names = "--timeout-s", description = "Deadline of every collective in seconds (default: ${DEFAULT-VALUE})", defaultValue = "300")
        int timeoutSeconds;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if (backend.equals("mpi")) {
                spec.commandLine().getErr().println("MPI backend: not in this build yet");
                return 2;
            }
            if (!backend.equals("local")) throw new IllegalArgumentException("--backend must be local or mpi, got '" + backend + "'");
            if (ranks < 1) throw new IllegalArgumentException("--ranks must be >= 1, got " + ranks);
            if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout-s must be >= 1, got " + timeoutSeconds);
            CommBench.Report report = CommBench.runLocal(ranks, maxBytes, maxIterations, Duration.ofSeconds(timeoutSeconds));
            for (String line : report.jsonLines()) append(line);
            if (json) report.jsonLines().forEach(System.out::println);
            else System.out.print(report.table());
            return 0;
        }
    }
}
