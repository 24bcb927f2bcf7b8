package io.jspeed.bench;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.local.LocalCluster;
import io.jspeed.model.TransformerLM;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.zero.MemoryPlan;
import io.jspeed.train.zero.RankMemory;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-rank model-state bytes of each ZeRO stage for a preset, as the engine actually allocates them on rank 0 of
 * N, beside the ZeRO formula. Building one rank's engine issues no collectives, so the other ranks need not run.
 * stage 3 here partitions every block (persistence threshold 0), as the formula assumes.
 */
public final class ZeroBench {

    public record Row(String preset, int stage, int ranks, long params, RankMemory measured, long planned, long formula) {

        public double ratio() {
            return (double) measured.modelStateBytes() / formula;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"preset\":\"%s\",\"stage\":%d,\"ranks\":%d,\"params\":%d,\"model_state_bytes_per_rank\":%d,"
                            + "\"formula_bytes_per_rank\":%d,\"ratio\":%.4f,\"parameter_bytes\":%d,\"gradient_bytes\":%d,\"optimizer_bytes\":%d,"
                            + "\"working_bytes\":%d}",
                    preset, stage, ranks, params, measured.modelStateBytes(), formula, ratio(), measured.parameterBytes(),
                    measured.gradientBytes(), measured.optimizerBytes(), measured.workingBytes());
        }
    }

    private ZeroBench() {}

    public static List<Row> run(TrainBench.Preset preset, List<Integer> rankCounts) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (int stage = 0; stage <= 3; stage++) {
            for (int n : rankCounts) {
                ZeroOptions d = ZeroOptions.stage(stage);
                ZeroOptions options = new ZeroOptions(stage, d.reduceBucketSize(), d.allgatherBucketSize(), d.overlapComm(),
                        d.contiguousGradients(), d.prefetchBucketSize(), 0, d.maxLiveParameters(), d.maxReuseDistance());
                ProcessGroup rank0 = LocalCluster.create(n, Duration.ofSeconds(30)).getFirst();
                TransformerLM model = new TransformerLM(preset.spec(), Parallel.serial());
                long planned = MemoryPlan.of(model.paramBlocks(), options, n, false).memory().modelStateBytes();
                ZeroEngine engine = new ZeroEngine(model, rank0, options, false, new ShardedAdamW.Settings(0.9f, 0.999f, 1e-8f, 0f),
                        Parallel.serial(), (i, dst) -> {});
                long params = model.parameterCount();
                rows.add(new Row(preset.label, stage, n, params, engine.memory(), planned, RankMemory.formulaBytes(stage, params, n, false)));
            }
        }
        return rows;
    }
}
