package io.jspeed.train.zero;

import io.jspeed.comm.local.LocalCluster;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.TensorInfo;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.RankContext;
import io.jspeed.train.Trainer;
import io.jspeed.train.TrainingListener;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data parallelism must not change training: with the same seed and global batch, every stage on any number of
 * in-process ranks gives the single-rank loss sequence and parameters (to float rounding of the different
 * summation order). Buckets are made tiny so that bucket and shard boundaries cut through views, and stage 3
 * partitions every block. Checkpoints saved by N ranks at one stage resume on M ranks at another.
 */
class ZeroEquivalenceTest {

    private static final int STEPS = 50;
    private static final Map<String, Run> reference = new HashMap<>();

    @TempDir
    static Path shared;

    record Run(List<Double> losses, Path dir) {}

    @BeforeAll
    static void corpus() throws IOException {
        writeCorpus(shared);
    }

    static void writeCorpus(Path root) throws IOException {
        Random r = new Random(3);
        StringBuilder sb = new StringBuilder();
        String[] words = {"alpha", "beta", "gamma", "delta", "return", "class", "int", "value", "(", ")", "{", "}", ";", "\n"};
        for (int i = 0; i < 20_000; i++) sb.append(words[r.nextInt(words.length)]).append(' ');
        Files.createDirectories(root.resolve("corpus"));
        Files.writeString(root.resolve("corpus/a.txt"), sb.toString());
    }

    static TrainConfig config(String family, int steps, int world, int stage) {
        return config(shared, family, steps, world, stage);
    }

    /** The tiny run every equivalence check trains, on the corpus under {@code root} (see {@link #writeCorpus}). */
    static TrainConfig config(Path root, String family, int steps, int world, int stage) {
        return config(root, family, steps, world, stage, stage == 3);
    }

    static TrainConfig config(Path root, String family, int steps, int world, int stage, boolean overlapComm) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data.path", root.resolve("corpus").toString());
        o.put("data.tokenizer", "bytes");
        o.put("data.eval_fraction", "0.1");
        o.put("model.type", family);
        o.put("model.n_layer", "2");
        o.put("model.n_head", "2");
        o.put("model.d_model", "16");
        o.put("model.seq_len", "16");
        o.put("train_batch_size", world == 8 ? "8" : "12");
        o.put("train_micro_batch_size_per_gpu", "1");
        o.put("optimizer.params.lr", "3e-3");
        o.put("optimizer.params.weight_decay", "0.1");
        o.put("scheduler.params.warmup_num_steps", "5");
        o.put("training.steps", String.valueOf(steps));
        o.put("training.eval_every", "25");
        o.put("training.eval_batches", "3");
        o.put("training.checkpoint_every", "1000");
        o.put("training.minutes", "0");
        o.put("training.out_dir", root.resolve("out").toString());
        o.put("zero_optimization.stage", String.valueOf(stage));
        o.put("zero_optimization.reduce_bucket_size", "300");
        o.put("zero_optimization.allgather_bucket_size", "300");
        o.put("zero_optimization.stage3_param_persistence_threshold", "0");
        o.put("zero_optimization.overlap_comm", String.valueOf(overlapComm));
        return ConfigLoader.load(null, o, world);
    }

    static Run train(String family, int ranks, int stage, int steps, Path dir) {
        return train(config(family, steps, ranks, stage), ranks, dir);
    }

    static Run train(TrainConfig cfg, int ranks, Path dir) {
        List<Trainer.Result> results = LocalCluster.call(ranks, Duration.ofSeconds(60), g -> {
            try (Parallel pool = new Parallel(1)) {
                return TrainingRun.start(cfg, dir, new RankContext(g, pool, 0), TrainingListener.NONE);
            }
        });
        return new Run(results.getFirst().losses(), dir);
    }

    static synchronized Run reference(String family) {
        return reference.computeIfAbsent(family, f -> train(f, 1, 0, STEPS, shared.resolve("ref-" + f)));
    }

    /** overlap_comm both ways at stages 2 and 3 (DeepSpeed's default is on at stage 3 only). */
    @ParameterizedTest(name = "{0} on {1} ranks, stage {2}, overlap_comm {3}")
    @CsvSource({"gpt2,2,0,false", "gpt2,2,1,false", "gpt2,2,2,true", "gpt2,2,3,false", "gpt2,4,0,false", "gpt2,4,1,false",
            "gpt2,4,2,false", "gpt2,4,3,true", "gpt2,1,3,true", "llama,2,2,true", "llama,4,3,true", "llama,3,1,false"})
    void matchesTheSingleRankRun(String family, int ranks, int stage, boolean overlap, @TempDir Path tmp) throws IOException {
        Run ref = reference(family);
        Run run = train(config(shared, family, STEPS, ranks, stage, overlap), ranks, tmp.resolve("run"));
        assertThat(run.losses()).hasSize(STEPS);
        for (int i = 0; i < STEPS; i++)
            assertThat(run.losses().get(i)).as("loss at step %d", i + 1).isCloseTo(ref.losses().get(i), relative(1e-5, ref.losses().get(i)));
        assertSameTensors(Checkpointer.resolve(ref.dir()), Checkpointer.resolve(run.dir()), "model.safetensors", 1e-5, 1.0);
    }

    /** Every (N, M) over 1..4 ranks, with the stage pairs cycling so that each of the 16 stage pairs occurs. */
    @ParameterizedTest(name = "saved by {0} ranks at stage {1}, resumed on {2} ranks at stage {3}")
    @CsvSource({"1,0,1,0", "1,1,2,1", "1,2,3,2", "1,3,4,3", "2,0,1,1", "2,1,2,2", "2,2,3,3", "2,3,4,0",
            "3,0,1,2", "3,1,2,3", "3,2,3,0", "3,3,4,1", "4,0,1,3", "4,1,2,0", "4,2,3,1", "4,3,4,2"})
    void checkpointsReshardAcrossRanksAndStages(int n, int stageN, int m, int stageM, @TempDir Path tmp) throws IOException {
        Run ref = train("gpt2", 1, 0, 6, tmp.resolve("uninterrupted"));
        Path split = tmp.resolve("split");
        train("gpt2", n, stageN, 3, split);
        Map<String, String> o = Map.of("training.steps", "6", "zero_optimization.stage", String.valueOf(stageM));
        List<Trainer.Result> resumed = LocalCluster.call(m, Duration.ofSeconds(60), g -> {
            try (Parallel pool = new Parallel(1)) {
                return TrainingRun.resume(split, o, new RankContext(g, pool, 0), TrainingListener.NONE);
            }
        });
        List<Double> tail = resumed.getFirst().losses();
        assertThat(tail).hasSize(3);
        for (int i = 0; i < 3; i++)
            assertThat(tail.get(i)).as("loss at step %d", i + 4).isCloseTo(ref.losses().get(i + 3), relative(1e-5, ref.losses().get(i + 3)));
        assertSameTensors(Checkpointer.resolve(ref.dir()), Checkpointer.resolve(split), "model.safetensors", 1e-5, 1.0);
        assertSameTensors(Checkpointer.resolve(ref.dir()), Checkpointer.resolve(split), "optimizer.safetensors", 1e-3, 0.0);
    }

    @Test
    void stageThreeOnEightRanksHoldsAnEighthOfTheStates(@TempDir Path tmp) {
        TrainConfig cfg = config("gpt2", 1, 8, 3);
        List<RankMemory> memory = LocalCluster.call(8, Duration.ofSeconds(60), g -> {
            try (Parallel pool = new Parallel(1)) {
                var model = new io.jspeed.model.TransformerLM(TrainingRun.modelSpec(cfg.model(), 256), pool);
                ZeroEngine e = new ZeroEngine(model, g, cfg.zero(), false, new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), pool,
                        (i, dst) -> model.initializeBlock(i, 1, dst));
                return e.memory();
            }
        });
        long params = new io.jspeed.model.TransformerLM(TrainingRun.modelSpec(cfg.model(), 256), Parallel.serial()).parameterCount();
        long formula = RankMemory.formulaBytes(3, params, 8, false);
        for (RankMemory m : memory) assertThat((double) m.modelStateBytes()).isCloseTo(formula, org.assertj.core.data.Percentage.withPercentage(10));
    }

    /** Within tolerance relative to the reference value. */
    static org.assertj.core.data.Offset<Double> relative(double tolerance, double reference) {
        return org.assertj.core.data.Offset.offset(tolerance * Math.abs(reference));
    }

    /**
     * Every element within tolerance·max(floor, |reference|, largest |value| of the tensor·(1 - floor)): with floor 1
     * that is an absolute tolerance for values below 1 and a relative one above; with floor 0 it is relative to the
     * tensor's scale (moments span many decades).
     */
    static void assertSameTensors(Path a, Path b, String file, double tolerance, double floor) throws IOException {
        try (SafetensorsFile x = SafetensorsFile.open(a.resolve(file)); SafetensorsFile y = SafetensorsFile.open(b.resolve(file))) {
            assertThat(y.tensors().stream().map(TensorInfo::name).sorted().toList())
                    .isEqualTo(x.tensors().stream().map(TensorInfo::name).sorted().toList());
            for (TensorInfo t : x.tensors()) {
                float[] want = x.floats(t.name()), got = y.floats(t.name());
                double largest = 0;
                for (float w : want) largest = Math.max(largest, Math.abs(w));
                for (int i = 0; i < want.length; i++) {
                    double scale = Math.max(floor, Math.max(Math.abs(want[i]), largest * (1 - floor)));
                    assertThat((double) Math.abs(got[i] - want[i])).as("%s %s[%d]: %s vs %s", file, t.name(), i, got[i], want[i])
                            .isLessThanOrEqualTo(tolerance * Math.max(scale, 1e-30));
                }
            }
        }
    }
}
