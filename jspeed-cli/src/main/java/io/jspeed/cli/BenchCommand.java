package io.jspeed.cli;

import io.jspeed.bench.AttentionBench;
import io.jspeed.bench.GemmBench;
import io.jspeed.bench.PeakFlops;
import io.jspeed.bench.TrainBench;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AttentionShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: training throughput and GEMM speed.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Gemm.class, BenchCommand.Attention.class})
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
        @Option(names = "--threads", description = "Threads (default: all processors)", defaultValue = "0")
        int threads;
        @Option(names = "--batch", description = "Sequences per step (default: the preset's)", defaultValue = "0")
        int batch;
        @Option(names = "--seq", description = "Sequence length (default: the preset's; longer ones extend the position table)", defaultValue = "0")
        int seq;
        @Option(names = "--checkpoint-activations", description = "Keep only block inputs in forward, recompute each block in backward.")
        boolean checkpointActivations;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;

        @Override
        public void run() {
            TrainBench.Preset p = TrainBench.Preset.parse(preset);
            if (batch < 0 || seq < 0) throw new IllegalArgumentException("--batch " + batch + " and --seq " + seq + " must be >= 1 (0 = the preset's)");
            try (Parallel pool = Parallel.withThreads(threads)) {
                double peak = PeakFlops.measureGflops(pool);
                TrainBench.Result r = TrainBench.run(p, pool, warmup, steps, peak, batch, seq, checkpointActivations);
                append(r.toJson());
                if (json) {
                    System.out.println(r.toJson());
                    return;
                }
                System.out.printf(Locale.ROOT, "%-10s %7s %9s %12s %10s %7s %12s %12s%n", "preset", "threads", "params", "step ms (med)", "tokens/s", "MFU", "peak GF/s", "peak RSS MiB");
                System.out.printf(Locale.ROOT, "%-10s %7d %9.1fM %12.1f %10.0f %6.1f%% %12.0f %12.0f%n", r.preset(), r.threads(), r.parameters() / 1e6,
                        r.medianStepMs(), r.tokensPerSecond(), 100 * r.mfu(), r.peakGflops(), r.peakRssBytes() / 1048576.0);
            }
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

    @Command(name = "attention", mixinStandardHelpOptions = true,
            description = "Causal attention forward+backward: the tiled kernel against the one it replaced (seq <= 4096), GFLOP/s and fraction of peak.")
    static final class Attention implements Runnable {
        @Option(names = "--seq", description = "Sequence length (default: ${DEFAULT-VALUE})", defaultValue = "1024") int seq;
        @Option(names = "--heads", description = "Query heads (default: ${DEFAULT-VALUE})", defaultValue = "12") int heads;
        @Option(names = "--kv-heads", description = "Key/value heads (default: --heads)", defaultValue = "0") int kvHeads;
        @Option(names = "--head-dim", description = "Head size (default: ${DEFAULT-VALUE})", defaultValue = "64") int headDim;
        @Option(names = "--batch", description = "Sequences (default: ${DEFAULT-VALUE})", defaultValue = "1") int batch;
        @Option(names = "--threads", description = "Threads (default: all processors)", defaultValue = "0") int threads;
        @Option(names = "--iterations", description = "Timed passes per kernel (default: 0 = at least 3 and 2 s)", defaultValue = "0") int iterations;
        @Option(names = "--json", description = "Print one JSON object instead of a table.") boolean json;

        @Override
        public void run() {
            AttentionShape shape = new AttentionShape(batch, seq, heads, kvHeads == 0 ? heads : kvHeads, headDim);
            try (Parallel pool = Parallel.withThreads(threads)) {
                AttentionBench.Result r = AttentionBench.run(shape, pool, iterations, PeakFlops.measureGflops(pool));
                append(r.toJson());
                if (json) {
                    System.out.println(r.toJson());
                    return;
                }
                System.out.printf(Locale.ROOT, "%6s %7s %10s %10s %10s %10s %8s %9s %10s%n", "seq", "threads", "flash ms", "GFLOP/s",
                        "old ms", "old GF/s", "speedup", "of peak", "peak GF/s");
                double oldMs = Double.isNaN(r.oldSavedMs()) ? r.oldRecomputedMs()
                        : Double.isNaN(r.oldRecomputedMs()) ? r.oldSavedMs() : Math.min(r.oldSavedMs(), r.oldRecomputedMs());
                System.out.printf(Locale.ROOT, "%6d %7d %10.2f %10.1f %10.2f %10.1f %7.2fx %8.1f%% %10.0f%n", seq, r.threads(), r.flashMs(),
                        r.gflops(r.flashMs()), oldMs, r.gflops(oldMs), r.speedup(), 100 * r.gflops(r.flashMs()) / r.peakGflops(), r.peakGflops());
            }
        }
    }
}
