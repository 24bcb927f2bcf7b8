package io.jspeed.bench;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.train.RankContext;
import io.jspeed.train.zero.RankMemory;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training throughput on the same models and batches as ../shared/peers/pytorch_gpt_bench.py: a step is
 * zero_grad + forward + loss + backward + AdamW (lr 3e-4, betas 0.9/0.999, no decay, no clipping) on
 * pre-generated uniform random tokens; tokens/s = ranks·batch·seq / median step time after warmup (each
 * data-parallel rank takes the preset's batch, as the peer's DDP mode does). Runs on one rank of a group; every
 * rank of the group must call it; rank 0's result is the one to report.
 */
public final class TrainBench {

    public enum Preset {
        TINY("tiny", 256, 4, 4, 256, 256, 8, 256),
        SMALL("small", 50257, 6, 6, 384, 256, 4, 256),
        GPT2_124M("gpt2-124m", 50257, 12, 12, 768, 256, 4, 1024);

        public final String label;
        final int vocab, layers, heads, dModel, seqLen, batch, positions;

        Preset(String label, int vocab, int layers, int heads, int dModel, int seqLen, int batch, int positions) {
            this.label = label;
            this.vocab = vocab;
            this.layers = layers;
            this.heads = heads;
            this.dModel = dModel;
            this.seqLen = seqLen;
            this.batch = batch;
            this.positions = positions;
        }

        public static Preset parse(String name) {
            for (Preset p : values()) if (p.label.equalsIgnoreCase(name)) return p;
            throw new IllegalArgumentException("unknown preset '" + name + "': expected one of tiny, small, gpt2-124m");
        }

        public ModelSpec spec() {
            return spec(seqLen);
        }

        /** The preset's model with a position table long enough for seqLen. */
        public ModelSpec spec(int seqLen) {
            return ModelSpec.gpt2(vocab, layers, heads, dModel, Math.max(positions, seqLen));
        }
    }

    public record Result(String preset, int ranks, int threads, int zeroStage, int batch, int seqLen, boolean checkpointActivations,
                         long parameters, double flopsPerToken, double medianStepMs, double tokensPerSecond, double mfu, double peakGflops,
                         long peakRssBytes, RankMemory rankMemory, double firstLoss, double lastLoss, String matmulEngine, boolean overlapComm) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"preset\":\"%s\",\"ranks\":%d,\"threads_per_rank\":%d,\"zero_stage\":%d,\"batch\":%d,"
                            + "\"seq_len\":%d,\"checkpoint_activations\":%b,\"parameters\":%d,\"flops_per_token\":%.0f,\"step_ms_median\":%.2f,"
                            + "\"tokens_per_s\":%.1f,\"mfu\":%.4f,\"peak_gflops\":%.1f,\"peak_rss_bytes\":%d,\"model_state_bytes_per_rank\":%d,"
                            + "\"working_bytes_per_rank\":%d,\"loss_first\":%.4f,\"loss_last\":%.4f,\"matmul_engine\":\"%s\",\"overlap_comm\":%b,\"cpu\":\"%s\"}",
                    preset, ranks, threads, zeroStage, batch, seqLen, checkpointActivations, parameters, flopsPerToken, medianStepMs,
                    tokensPerSecond, mfu, peakGflops, peakRssBytes, rankMemory.modelStateBytes(), rankMemory.workingBytes(), firstLoss, lastLoss,
                    matmulEngine, overlapComm, HostCaches.cpuModel().replace("\\", "\\\\").replace("\"", "\\\""));
        }
    }

    private TrainBench() {}

    /**
     * batch and seqLen 0 take the preset's (batch is per rank); checkpointActivations recomputes each block in
     * backward.
     */
    public static Result run(Preset preset, RankContext rank, ZeroOptions zero, int warmup, int steps, double peakGflops,
                             int batch, int seqLen, boolean checkpointActivations, MatmulEngine matmul, boolean bf16) throws java.io.IOException {
        int b = batch > 0 ? batch : preset.batch, t = seqLen > 0 ? seqLen : preset.seqLen, n = b * t;
        ModelSpec spec = preset.spec(t);
        TransformerLM model = new TransformerLM(spec, rank.pool(), matmul);
        model.setActivationCheckpointing(checkpointActivations);
        ZeroEngine engine = new ZeroEngine(model, rank.group(), zero, bf16,
                new ShardedAdamW.Settings(0.9f, 0.999f, 1e-8f, 0f), rank.pool(), (i, dst) -> model.initializeBlock(i, 1234, dst));
        int ranks = rank.group().size();
        SplittableRandom random = new SplittableRandom(42 + 7919L * rank.group().rank());
        int[][] tokens = new int[4][n], targets = new int[4][n];
        for (int i = 0; i < 4; i++) {
            int[] seq = random.ints(b * (t + 1), 0, spec.vocabSize()).toArray();
            for (int r = 0; r < b; r++) {
                System.arraycopy(seq, r * (t + 1), tokens[i], r * t, t);
                System.arraycopy(seq, r * (t + 1) + 1, targets[i], r * t, t);
            }
        }
        double[] times = new double[steps];
        double first = 0, last = 0;
        try (engine) {
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                engine.beginStep();
                double loss = model.forwardBackward(tokens[s % 4], targets[s % 4], b, t, 1f / (n * ranks)) / n;
                engine.finishGradients();
                engine.step(3e-4f, 1f);
                double ms = (System.nanoTime() - t0) * 1e-6;
                if (s == 0) first = loss;
                last = loss;
                if (s >= warmup) times[s - warmup] = ms;
            }
        }
        double median = median(times);
        long params = model.parameterCount();
        long positionTable = (long) spec.maxSeqLen() * spec.dModel();
        double flopsPerToken = 6.0 * (params - positionTable) + 12.0 * spec.nLayer() * spec.dModel() * t;
        double tokensPerSecond = (double) n * ranks / (median / 1e3);
        double mfu = peakGflops > 0 ? flopsPerToken * tokensPerSecond / (peakGflops * 1e9) : Double.NaN;
        return new Result(preset.label, ranks, rank.pool().threads(), zero.stage(), b, t, checkpointActivations, params, flopsPerToken, median,
                tokensPerSecond, mfu, peakGflops, MemoryProbe.peakRssBytes(), engine.memory(), first, last, matmul.name(), zero.overlapComm());
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
