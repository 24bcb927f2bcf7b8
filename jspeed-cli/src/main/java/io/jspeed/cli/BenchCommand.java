package io.jspeed.cli;

import io.jspeed.bench.DecodeBench;
import io.jspeed.bench.GemmBench;
import io.jspeed.bench.LlamaBench;
import io.jspeed.bench.MatvecBench;
import io.jspeed.bench.StreamTriad;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.bench.PeakFlops;
import io.jspeed.bench.TrainBench;
import io.jspeed.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks: training throughput, GEMM speed, matvec, decode/prefill speed.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Gemm.class, BenchCommand.Matvec.class, BenchCommand.Decode.class})
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
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;

        @Override
        public void run() {
            TrainBench.Preset p = TrainBench.Preset.parse(preset);
            try (Parallel pool = Parallel.withThreads(threads)) {
                double peak = PeakFlops.measureGflops(pool);
                TrainBench.Result r = TrainBench.run(p, pool, warmup, steps, peak);
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

    @Command(name = "matvec", mixinStandardHelpOptions = true,
            description = "Weight-format matvec (decode, --batch 1) or batched matmul (prefill): median ms and weight GB/s.")
    static final class Matvec implements Runnable {
        @Option(names = "--formats", split = ",", description = "Formats (default: ${DEFAULT-VALUE})",
                defaultValue = "F32,F16,BF16,Q8_0,Q4_0,Q4_K,Q6_K,INT8,INT4")
        List<String> formats;
        @Option(names = "--rows", defaultValue = "4096") int rows;
        @Option(names = "--cols", defaultValue = "4096") int cols;
        @Option(names = "--batch", defaultValue = "1") int batch;
        @Option(names = "--threads", description = "Threads (default: all processors)", defaultValue = "0") int threads;
        @Option(names = "--warmup", defaultValue = "20") int warmup;
        @Option(names = "--iterations", defaultValue = "50") int iterations;
        @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
        boolean json;

        @Override
        public void run() {
            try (Parallel pool = Parallel.withThreads(threads)) {
                if (!json) System.out.printf("%-8s %6s %6s %6s %8s %10s %10s%n", "format", "rows", "cols", "batch", "threads", "ms", "weight GB/s");
                for (String f : formats) {
                    MatvecBench.Result r = MatvecBench.run(f, rows, cols, batch, pool, warmup, iterations);
                    append(r.toJson());
                    if (json) System.out.println(r.toJson());
                    else System.out.printf(Locale.ROOT, "%-8s %6d %6d %6d %8d %10.3f %10.2f%n", r.format(), r.rows(), r.cols(), r.batch(),
                            r.threads(), r.millis(), r.gigabytesPerSecond());
                }
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

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode (tg) and prefill (pp) tokens/s of a model, the weight bandwidth decode reaches against a STREAM triad "
                    + "measured in the same run, and llama-bench's figures on the same file when it is available.")
    static final class Decode implements java.util.concurrent.Callable<Integer> {
        @Option(names = {"--model", "-m"}, required = true, description = "A .gguf file, Hugging Face folder or jspeed run")
        Path model;
        @Option(names = "--threads", description = "Threads (default: ${DEFAULT-VALUE})", defaultValue = "2")
        int threads;
        @Option(names = "--decode-tokens", description = "tg: tokens decoded one at a time (default: ${DEFAULT-VALUE})", defaultValue = "128")
        int decodeTokens;
        @Option(names = "--prefill-tokens", description = "pp: prompt tokens in one pass (default: ${DEFAULT-VALUE})", defaultValue = "512")
        int prefillTokens;
        @Option(names = "--repetitions", description = "Timed repetitions, averaged (default: ${DEFAULT-VALUE})", defaultValue = "3")
        int repetitions;
        @Option(names = "--llama-bench", description = "llama-bench binary to run side by side; 'none' to skip (default: ${DEFAULT-VALUE})",
                defaultValue = "../shared/peers/llama.cpp/bin/llama-bench")
        String llamaBench;
        @Option(names = "--json", description = "Print one JSON object instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            DecodeBench.Result r;
            try (Parallel pool = Parallel.withThreads(threads); LoadedModel loaded = ModelLoader.load(model)) {
                double dram = StreamTriad.measureGbps(pool, 5);
                r = DecodeBench.run(model.toString(), loaded, pool, prefillTokens, decodeTokens, repetitions, dram);
            }
            LlamaBench.Result peer = null;
            Path peerBinary = Path.of(llamaBench);
            if (!llamaBench.equals("none") && Files.isExecutable(peerBinary) && model.toString().endsWith(".gguf"))
                peer = LlamaBench.run(peerBinary, model, threads, prefillTokens, decodeTokens);
            String line = r.toJson();
            if (peer != null)
                line = line.substring(0, line.length() - 1) + String.format(Locale.ROOT, ",\"llama_cpp_decode_tokens_per_s\":%.2f,\"llama_cpp_prefill_tokens_per_s\":%.2f}",
                        peer.decodeTokensPerS(), peer.prefillTokensPerS());
            append(line);
            if (json) {
                System.out.println(line);
                return 0;
            }
            System.out.printf(Locale.ROOT, "%-28s %-14s %7s %12s %12s %10s %8s %8s%n", "model", "format", "threads", "tg" + decodeTokens + " t/s",
                    "pp" + prefillTokens + " t/s", "MB/token", "GB/s", "DRAM");
            System.out.printf(Locale.ROOT, "%-28s %-14s %7d %12.1f %12.1f %10.1f %8.1f %8.1f%n", "jspeed " + model.getFileName(), r.format(), r.threads(),
                    r.decodeTokensPerS(), r.prefillTokensPerS(), r.bytesPerToken() / 1e6, r.gbps(), r.dramGbps());
            if (peer != null)
                System.out.printf(Locale.ROOT, "%-28s %-14s %7d %12.1f %12.1f%n", "llama.cpp " + model.getFileName(), "", threads,
                        peer.decodeTokensPerS(), peer.prefillTokensPerS());
            return 0;
        }
    }
}
