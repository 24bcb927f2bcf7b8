package io.jspeed.cli;

import io.jspeed.bench.CommBench;
import io.jspeed.bench.AttentionBench;
import io.jspeed.bench.DecodeBench;
import io.jspeed.bench.GemmBench;
import io.jspeed.bench.LlamaBench;
import io.jspeed.bench.MatvecBench;
import io.jspeed.bench.StreamTriad;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.bench.PeakFlops;
import io.jspeed.bench.TrainBench;
import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.GemmBlocking;
import io.jspeed.tensor.matmul.DnnlBf16Matmul;
import io.jspeed.tensor.matmul.HostMatmul;
import io.jspeed.tensor.matmul.JavaFp32Matmul;
import io.jspeed.train.zero.ZeroOptions;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.tensor.kernel.AttentionShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.Locale;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: training throughput, GEMM, attention, collective bandwidth, ZeRO memory, weight-format matvec, decode/prefill.",
        subcommands = {BenchCommand.Train.class, BenchCommand.Gemm.class, BenchCommand.Comm.class, BenchCommand.Attention.class,
                BenchCommand.Zero.class, BenchCommand.Matvec.class, BenchCommand.Decode.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
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
        @Option(names = "--overlap-comm", negatable = true,
                description = "ZeRO-2/3: reduce-scatter gradients on a background stream while backward goes on (DeepSpeed's overlap_comm; default as DeepSpeed: on at stage 3 only).")
        Boolean overlapComm;
        @Option(names = "--batch", description = "Sequences per step (default: the preset's)", defaultValue = "0")
        int batch;
        @Option(names = "--seq", description = "Sequence length (default: the preset's; longer ones extend the position table)", defaultValue = "0")
        int seq;
        @Mixin
        TrainingOptions training = new TrainingOptions();
        @Mixin
        RankOptions ranks = new RankOptions();
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public void run() {
            TrainBench.Preset p = TrainBench.Preset.parse(preset);
            int threads = training.threadsOrAll(), zeroStage = training.zeroStageOrZero();
            boolean checkpointActivations = training.checkpointActivationsEnabled();
            if (batch < 0 || seq < 0) throw new IllegalArgumentException("--batch " + batch + " and --seq " + seq + " must be >= 1 (0 = the preset's)");
            // MPI ranks on this host measure at the same time, each seeing its share of the cores: their sum is the peak.
            double peak;
            try (Parallel pool = Parallel.withThreads(threads)) {
                peak = PeakFlops.measureGflops(pool) * ranks.processesOnHost();
            }
            ZeroOptions zero = overlapComm == null ? ZeroOptions.stage(zeroStage) : ZeroOptions.stage(zeroStage).withOverlapComm(overlapComm);
            TrainBench.Result r = ranks.launch(Duration.ofMinutes(5), threads, rank -> {
                try (HostMatmul mm = HostMatmul.open(rank.pool(), HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(),
                        System.err::println)) {
                    boolean bf16 = training.bf16Enabled();
                    MatmulEngine engine = mm.forTraining(bf16);
                    if (rank.isLeader()) System.err.println("matmul engine: " + engine.name());
                    return TrainBench.run(p, rank, zero, warmup, steps, peak, batch, seq, checkpointActivations, engine, bf16);
                }
            });
            if (!ranks.leaderProcess()) return;
            output.record(r.toJson());
            if (!output.wantsTable()) return;
            System.out.printf(Locale.ROOT, "%-10s %5s %7s %5s %9s %12s %10s %7s %12s %12s %14s%n", "preset", "ranks", "threads", "stage", "params",
                    "step ms (med)", "tokens/s", "MFU", "peak GF/s", "peak RSS MiB", "states/rank MiB");
            System.out.printf(Locale.ROOT, "%-10s %5d %7d %5d %9.1fM %12.1f %10.0f %6.1f%% %12.0f %12.0f %14.1f%n", r.preset(), r.ranks(), r.threads(),
                    r.zeroStage(), r.parameters() / 1e6, r.medianStepMs(), r.tokensPerSecond(), 100 * r.mfu(), r.peakGflops(),
                    r.peakRssBytes() / 1048576.0, r.rankMemory().modelStateBytes() / 1048576.0);
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "GEMM speed per matmul engine (java fp32/bf16, oneDNN fp32/bf16), C[m x n] = A[m x k] * B[k x n], "
                    + "after the host's caches and the engines and blocking picked for it.")
    static final class Gemm implements Runnable {
        @Option(names = "--shape", split = ",", paramLabel = "MxKxN",
                description = "Shapes to run (default: the GPT-2 124M training GEMMs ${DEFAULT-VALUE})",
                defaultValue = "1024x768x3072,1024x3072x768,1024x768x2304")
        List<String> shapes;
        @Option(names = "--engine", split = ",",
                description = "Engines to compare: java-fp32, java-bf16, dnnl-fp32, dnnl-bf16 (default: every one present)")
        List<String> engines;
        @Option(names = "--trans-b", description = "B stored [n x k] (x·Wᵀ, the Llama weight layout).")
        boolean transB;
        @Option(names = "--threads", split = ",", description = "Thread counts to run (default: all processors)")
        List<Integer> threads;
        @Option(names = "--warmup", defaultValue = "10") int warmup;
        @Option(names = "--iterations", defaultValue = "20") int iterations;
        @Option(names = "--remeasure", description = "Measure the host's engine and blocking choice again and rewrite its cache.")
        boolean remeasure;
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public void run() {
            List<int[]> dims = shapes.stream().map(Gemm::parseShape).toList();
            List<Integer> counts = threads != null ? threads : List.of(Runtime.getRuntime().availableProcessors());
            for (int t : counts) {
                try (Parallel pool = Parallel.withThreads(t);
                     HostMatmul host = HostMatmul.open(pool, HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(),
                             remeasure, System.err::println)) {
                    List<MatmulEngine> chosen = host.engines().stream()
                            .filter(e -> engines == null || engines.contains(e.name())).toList();
                    if (engines != null && chosen.size() < engines.size()) {
                        System.err.println("jspeed: engines not present here are skipped; present: "
                                + host.engines().stream().map(MatmulEngine::name).toList());
                    }
                    printHost(host, pool, dims.getFirst());
                    if (output.wantsTable()) System.out.printf("%-12s %6s %6s %6s %8s %10s %10s%n", "engine", "m", "k", "n", "threads", "ms", "GFLOP/s");
                    for (int[] d : dims) {
                        for (MatmulEngine e : chosen) {
                            print(GemmBench.run(e, pool, d[0], d[1], d[2], transB, warmup, iterations));
                            // bf16 engines again with the weight converted beforehand, as once per optimizer step
                            if (e.bf16()) print(GemmBench.runPreconverted(e, pool, d[0], d[1], d[2], transB, warmup, iterations));
                        }
                    }
                }
            }
        }

        private void print(GemmBench.Result r) {
            output.record(r.toJson());
            if (output.wantsTable()) System.out.printf(Locale.ROOT, "%-12s %6d %6d %6d %8d %10.3f %10.1f%n",
                    r.engine(), r.m(), r.k(), r.n(), r.threads(), r.millis(), r.gflops());
        }

        /** CPU, caches, what was picked for this host and why (the measurements, on the run that made them). */
        private void printHost(HostMatmul host, Parallel pool, int[] firstShape) {
            HostCaches c = host.caches();
            String bf16Impl = host.engines().stream().filter(e -> e instanceof DnnlBf16Matmul).findFirst()
                    .map(e -> ((DnnlBf16Matmul) e).implementation(pool, false, transB, firstShape[0], firstShape[2], firstShape[1]))
                    .orElse("none");
            if (!output.wantsTable()) {
                String line = String.format(Locale.ROOT,
                        "{\"bench\":\"gemm-host\",\"cpu\":\"%s\",\"l1d\":%d,\"l2\":%d,\"l3\":%d,\"flags\":\"%s\",\"threads\":%d,"
                                + "\"kc\":%d,\"mc\":%d,\"nc\":%d,\"fp32_engine\":\"%s\",\"bf16_engine\":\"%s\",\"dnnl\":\"%s\","
                                + "\"dnnl_bf16_impl\":\"%s\"}",
                        jsonText(HostCaches.cpuModel()), c.l1d(), c.l2(), c.l3(), String.join(" ", HostCaches.gemmFlags()),
                        pool.threads(), host.blocking().kc(), host.blocking().mc(), host.blocking().nc(), host.fp32().name(),
                        host.bf16().name(), host.dnnl(), bf16Impl);
                output.record(line);
                return;
            }
            System.out.println("CPU      " + HostCaches.cpuModel() + " (" + String.join(" ", HostCaches.gemmFlags()) + ")");
            System.out.println("caches   " + c.describe() + " (derived blocking " + GemmBlocking.fromCaches(c, pool.threads()) + ")");
            System.out.println("picked   blocking " + host.blocking() + " (tile " + GemmBlocking.registerTile() + "), fp32 "
                    + host.fp32().name() + ", bf16 " + host.bf16().name() + " for " + pool.threads() + " threads");
            System.out.println("oneDNN   " + host.dnnl() + " (fp32 dnnl_sgemm, bf16 matmul " + bf16Impl + ")");
            System.out.println("cache    " + host.cacheFile() + (host.measurements().isEmpty() ? " (read)" : " (measured now)"));
            for (String m : host.measurements()) System.out.println("measured " + m);
        }

        private static String jsonText(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }

        private static int[] parseShape(String shape) {
            String[] p = shape.trim().split("x");
            try {
                if (p.length == 3) {
                    int[] d = {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
                    if (d[0] > 0 && d[1] > 0 && d[2] > 0) return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new Gemm()),
                    "--shape: expected MxKxN with positive integers (e.g. 1024x768x3072), got '" + shape + "'");
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
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public Integer call() {
            if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout-s must be >= 1, got " + timeoutSeconds);
            if (backend.equals("mpi")) {
                // One rank per process under mpirun; rank 0 prints. Any failure aborts the job so no peer waits.
                if (!io.jspeed.comm.mpi.MpiGroup.launchedByMpirun())
                    throw new IllegalArgumentException("--backend mpi: this process was not started by mpirun; run e.g. "
                            + "mpirun -np 2 ./jspeed bench comm --backend mpi");
                io.jspeed.comm.mpi.MpiGroup world = io.jspeed.comm.mpi.MpiGroup.world(Duration.ofSeconds(timeoutSeconds));
                CommBench.Report report;
                try {
                    CommBench.checkHeap(1, maxBytes);
                    report = CommBench.run(world, "mpi", maxBytes, maxIterations);
                } catch (RuntimeException e) {
                    System.err.println("jspeed: rank " + world.rank() + " failed: " + e.getMessage());
                    world.abort(1);
                    throw e;
                }
                world.close();
                if (report != null) print(report);
                return 0;
            }
            if (!backend.equals("local")) throw new IllegalArgumentException("--backend must be local or mpi, got '" + backend + "'");
            if (ranks < 1) throw new IllegalArgumentException("--ranks must be >= 1, got " + ranks);
            if (timeoutSeconds < 1) throw new IllegalArgumentException("--timeout-s must be >= 1, got " + timeoutSeconds);
            print(CommBench.runLocal(ranks, maxBytes, maxIterations, Duration.ofSeconds(timeoutSeconds)));
            return 0;
        }

        private void print(CommBench.Report report) {
            report.jsonLines().forEach(output::record);
            if (output.wantsTable()) System.out.print(report.table());
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
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public void run() {
            AttentionShape shape = new AttentionShape(batch, seq, heads, kvHeads == 0 ? heads : kvHeads, headDim);
            try (Parallel pool = Parallel.withThreads(threads)) {
                AttentionBench.Result r = AttentionBench.run(shape, pool, iterations, PeakFlops.measureGflops(pool));
                output.record(r.toJson());
                if (!output.wantsTable()) return;
                System.out.printf(Locale.ROOT, "%6s %7s %10s %10s %10s %10s %8s %9s %10s%n", "seq", "threads", "flash ms", "GFLOP/s",
                        "old ms", "old GF/s", "speedup", "of peak", "peak GF/s");
                double oldMs = Double.isNaN(r.oldSavedMs()) ? r.oldRecomputedMs()
                        : Double.isNaN(r.oldRecomputedMs()) ? r.oldSavedMs() : Math.min(r.oldSavedMs(), r.oldRecomputedMs());
                System.out.printf(Locale.ROOT, "%6d %7d %10.2f %10.1f %10.2f %10.1f %7.2fx %8.1f%% %10.0f%n", seq, r.threads(), r.flashMs(),
                        r.gflops(r.flashMs()), oldMs, r.gflops(oldMs), r.speedup(), 100 * r.gflops(r.flashMs()) / r.peakGflops(), r.peakGflops());
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
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public void run() {
            try (Parallel pool = Parallel.withThreads(threads)) {
                if (output.wantsTable()) System.out.printf("%-8s %6s %6s %6s %8s %10s %10s%n", "format", "rows", "cols", "batch", "threads", "ms", "weight GB/s");
                for (String f : formats) {
                    MatvecBench.Result r = MatvecBench.run(f, rows, cols, batch, pool, warmup, iterations);
                    output.record(r.toJson());
                    if (output.wantsTable()) System.out.printf(Locale.ROOT, "%-8s %6d %6d %6d %8d %10.3f %10.2f%n", r.format(), r.rows(), r.cols(), r.batch(),
                            r.threads(), r.millis(), r.gigabytesPerSecond());
                }
            }
        }
    }

    @Command(name = "zero", mixinStandardHelpOptions = true,
            description = "Per-rank model-state bytes of each ZeRO stage (fp32 AdamW) for a preset, beside the ZeRO formula.")
    static final class Zero implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--preset", description = "tiny | small | gpt2-124m (default: ${DEFAULT-VALUE})", defaultValue = "small")
        String preset;
        @Option(names = "--ranks", split = ",", description = "Rank counts (default: 1,2,4,8)")
        List<Integer> ranks;
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public Integer call() throws IOException {
            List<Integer> counts = ranks != null ? ranks : List.of(1, 2, 4, 8);
            if (output.wantsTable()) {
                System.out.println("formula per rank (fp32 AdamW, Ψ parameters): stage 0 16Ψ, 1 8Ψ+8Ψ/N, 2 4Ψ+12Ψ/N, 3 16Ψ/N"
                        + " (parameters 4Ψ, gradients 4Ψ, moments 8Ψ; the fp32 master is the parameter)");
                System.out.printf(Locale.ROOT, "%-10s %5s %5s %12s %14s %14s %7s %14s%n", "preset", "stage", "ranks", "params", "measured MiB",
                        "formula MiB", "ratio", "working MiB");
            }
            for (io.jspeed.bench.ZeroBench.Row r : io.jspeed.bench.ZeroBench.run(TrainBench.Preset.parse(preset), counts)) {
                output.record(r.toJson());
                if (output.wantsTable()) System.out.printf(Locale.ROOT, "%-10s %5d %5d %12d %14.1f %14.1f %7.3f %14.1f%n", r.preset(), r.stage(), r.ranks(),
                        r.params(), r.measured().modelStateBytes() / 1048576.0, r.formula() / 1048576.0, r.ratio(),
                        r.measured().workingBytes() / 1048576.0);
            }
            return 0;
        }
    }

    /** Where prefill's GEMMs run in bench decode: the Java GEMM, or the engines this host measured (oneDNN). */
    enum PrefillGemm { java, host }

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
        @Option(names = "--prefill-gemm", paramLabel = "java|host", defaultValue = "java",
                description = "GEMM engines for prefill: java (the Java fp32 GEMM, what generate and chat use) or host (the engines this "
                        + "host measured fastest, oneDNN where installed, as perplexity uses). Default: ${DEFAULT-VALUE}.")
        PrefillGemm prefillGemm;
        @Mixin
        BenchOutput output = new BenchOutput();

        @Override
        public Integer call() throws Exception {
            DecodeBench.Result r;
            try (Parallel pool = Parallel.withThreads(threads); LoadedModel loaded = ModelLoader.load(model)) {
                double dram = StreamTriad.measureGbps(pool, 5);
                if (prefillGemm == PrefillGemm.java) {
                    // no oneDNN in the process: binding it (FFM downcalls, its own arenas) measurably slows the JIT-compiled
                    // weight loops of decode afterwards (docs/benchmarks.md), and generate and chat do not bind it either
                    MatmulEngine java = JavaFp32Matmul.forHost(pool.threads());
                    r = DecodeBench.run(model.toString(), loaded, pool, java, java, prefillTokens, decodeTokens, repetitions, dram);
                } else {
                    try (HostMatmul host = HostMatmul.open(pool, HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(), System.err::println)) {
                        if (output.wantsTable()) System.err.println("prefill GEMM engines: " + host.fp32().name() + " (F32/F16/BF16 weights), "
                                + host.coarseWeights().name() + " (quantized)");
                        r = DecodeBench.run(model.toString(), loaded, pool, host.fp32(), host.coarseWeights(), prefillTokens, decodeTokens, repetitions, dram);
                    }
                }
            }
            LlamaBench.Result peer = null;
            Path peerBinary = Path.of(llamaBench);
            if (!llamaBench.equals("none") && Files.isExecutable(peerBinary) && model.toString().endsWith(".gguf"))
                peer = LlamaBench.run(peerBinary, model, threads, prefillTokens, decodeTokens);
            String line = r.toJson();
            if (peer != null)
                line = line.substring(0, line.length() - 1) + String.format(Locale.ROOT, ",\"llama_cpp_decode_tokens_per_s\":%.2f,\"llama_cpp_prefill_tokens_per_s\":%.2f}",
                        peer.decodeTokensPerS(), peer.prefillTokensPerS());
            output.record(line);
            if (!output.wantsTable()) return 0;
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
