package io.jspeed.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.train.config.ConfigException;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.ModelConfig;
import io.jspeed.train.config.TrainConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** End to end on a small corpus: the loss falls below the unigram baseline, resume is bit-exact, bad checkpoints fail clearly. */
class TrainingRunTest {

    private static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** Java-like text with real structure to learn: repeated identifiers, keywords, brackets. */
    static Path writeCorpus(Path dir) throws IOException {
        Random r = new Random(7);
        String[] names = {"count", "value", "index", "buffer", "result", "length", "offset", "limit"};
        String[] types = {"int", "long", "float", "String", "Object"};
        Path folder = dir.resolve("corpus");
        Files.createDirectories(folder);
        for (int f = 0; f < 12; f++) {
            StringBuilder sb = new StringBuilder("package demo;\n\npublic final class Demo" + f + " {\n");
            for (int m = 0; m < 40; m++) {
                String t = types[r.nextInt(types.length)], n = names[r.nextInt(names.length)];
                sb.append("    public static ").append(t).append(' ').append(n).append(m).append("(").append(t).append(" ")
                        .append(names[r.nextInt(names.length)]).append(") {\n        return ").append(n).append(";\n    }\n\n");
            }
            Files.writeString(folder.resolve("Demo" + f + ".java"), sb.append("}\n").toString());
        }
        return folder;
    }

    static TrainConfig tinyConfig(Path corpus, Path out, int steps, String tokenizer) {
        return tinyConfig(corpus, out, steps, tokenizer, Map.of());
    }

    static TrainConfig tinyConfig(Path corpus, Path out, int steps, String tokenizer, Map<String, String> extra) {
        Map<String, String> o = tinyOverrides(corpus, out, steps, tokenizer);
        o.putAll(extra);
        return ConfigLoader.load(null, o);
    }

    static Map<String, String> tinyOverrides(Path corpus, Path out, int steps, String tokenizer) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data.path", corpus.toString());
        o.put("data.tokenizer", tokenizer);
        if (tokenizer.equals("bpe")) o.put("data.vocab_size", "300");
        o.put("data.eval_fraction", "0.2");
        o.put("model.n_layer", "2");
        o.put("model.n_head", "2");
        o.put("model.d_model", "32");
        o.put("model.seq_len", "32");
        o.put("train_batch_size", "4");
        o.put("train_micro_batch_size_per_gpu", "2");
        o.put("gradient_accumulation_steps", "2");
        o.put("optimizer.params.lr", "1e-2");
        o.put("scheduler.params.warmup_num_steps", "5");
        o.put("training.steps", String.valueOf(steps));
        o.put("training.eval_every", "10");
        o.put("training.eval_batches", "2");
        o.put("training.checkpoint_every", "5");
        o.put("training.out_dir", out.toString());
        o.put("training.minutes", "0");
        return o;
    }

    @Test
    void lossFallsClearlyBelowTheUnigramBaseline(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        TrainConfig cfg = tinyConfig(corpus, tmp.resolve("out"), 80, "bytes");
        Path run = tmp.resolve("out/run");
        Trainer.Result result = TrainingRun.start(cfg, run, RankContext.single(POOL), TrainingListener.NONE);
        double unigram = readMetrics(run).stream().filter(n -> n.get("type").asText().equals("start")).findFirst().orElseThrow()
                .get("unigram_loss").asDouble();
        assertThat(result.stepsDone()).isEqualTo(80);
        assertThat(result.losses().getFirst()).isGreaterThan(unigram);
        assertThat(result.lastEvalLoss()).isLessThan(0.92 * unigram);
        assertThat(run.resolve("loss.png")).isNotEmptyFile();
        assertThat(Checkpointer.resolve(run).getFileName().toString()).isEqualTo("checkpoint-000080");
    }

    @Test
    void resumeReproducesTheUninterruptedLossSequenceExactly(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path full = tmp.resolve("out/full"), split = tmp.resolve("out/split");
        TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 14, "bpe"), full, RankContext.single(POOL), TrainingListener.NONE);

        assertThatThrownBy(() -> TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 14, "bpe"), split, RankContext.single(POOL), crashAfterCheckpoint(10)))
                .isInstanceOf(SimulatedCrash.class);
        assertThat(Checkpointer.resolve(split).getFileName().toString()).isEqualTo("checkpoint-000010");
        TrainingRun.resume(split, Map.of(), RankContext.single(POOL), TrainingListener.NONE);

        assertThat(trainLosses(split)).containsExactlyElementsOf(trainLosses(full));
        assertThat(trainLosses(split)).hasSize(14);
    }

    /**
     * Recomputing each block in backward (activation checkpointing) leaves every loss bitwise unchanged, through the
     * config key the CLI's --checkpoint-activations sets. (ActivationCheckpointingTest in jspeed-model compares
     * gradients too, for both architectures; here Llama, whose grouped-query attention is the less direct path.)
     */
    @Test
    void checkpointedActivationsGiveTheSameLossesBitForBit(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        for (String type : new String[] {"llama"}) {
            Map<String, String> model = Map.of("model.type", type, "model.n_head", "4", "model.n_kv_head", type.equals("llama") ? "2" : "4");
            Map<String, String> checkpointed = new LinkedHashMap<>(model);
            checkpointed.put("training.checkpoint_activations", "true");
            Path plain = tmp.resolve("out/" + type + "-plain"), ckpt = tmp.resolve("out/" + type + "-checkpointed");
            Trainer.Result a = TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 5, "bytes", model), plain, RankContext.single(POOL), TrainingListener.NONE);
            Trainer.Result b = TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 5, "bytes", checkpointed), ckpt, RankContext.single(POOL), TrainingListener.NONE);
            assertThat(b.losses()).as(type).hasSize(5).containsExactlyElementsOf(a.losses());
            assertThat(trainLosses(ckpt)).as(type).containsExactlyElementsOf(trainLosses(plain));
        }
    }

    @Test
    void truncatedCheckpointGivesAClearError(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path run = tmp.resolve("out/run");
        TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 5, "bytes"), run, RankContext.single(POOL), TrainingListener.NONE);
        Path model = Checkpointer.resolve(run).resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        assertThatThrownBy(() -> TrainingRun.resume(run, Map.of("training.steps", "8"), RankContext.single(POOL), TrainingListener.NONE))
                .isInstanceOf(IOException.class).hasMessageContaining("model.safetensors");
    }

    @Test
    void resumeRefusesDifferentData(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path run = tmp.resolve("out/run");
        TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 5, "bytes"), run, RankContext.single(POOL), TrainingListener.NONE);
        Files.writeString(corpus.resolve("Extra.java"), "class Extra { int x; }\n".repeat(50));
        assertThatThrownBy(() -> TrainingRun.resume(run, Map.of("training.steps", "8"), RankContext.single(POOL), TrainingListener.NONE))
                .isInstanceOf(IOException.class).hasMessageContaining("training data differs");
    }

    @Test
    void stepsGivenOnResumeBecomeTheRunsConfigAndTheScheduleSpansThem(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path run = tmp.resolve("out/run");
        TrainConfig first = tinyConfig(corpus, tmp.resolve("out"), 3, "bytes");
        TrainingRun.start(first, run, RankContext.single(POOL), TrainingListener.NONE);
        TrainingRun.resume(run, Map.of("training.steps", "9"), RankContext.single(POOL), TrainingListener.NONE);

        TrainConfig persisted = ConfigLoader.load(run.resolve(TrainingRun.CONFIG_FILE), Map.of());
        assertThat(persisted.steps()).isEqualTo(9);
        assertThat(ConfigLoader.fromJson(Checkpointer.readState(Checkpointer.resolve(run)).configJson(), "trainer.json").steps()).isEqualTo(9);
        // Steps 4..9 follow the 9-step schedule an uninterrupted `--steps 9` run would: warmup 5, cosine to step 9.
        List<JsonNode> train = readMetrics(run).stream().filter(n -> n.get("type").asText().equals("train")).toList();
        assertThat(train).hasSize(9);
        for (JsonNode rec : train.subList(3, 9)) {
            int step = rec.get("step").asInt();
            assertThat(rec.get("lr").asDouble()).as("lr at step %d", step)
                    .isEqualTo(first.optimizer().lr() * first.scheduler().lrFactor(step - 1, 9));
        }
        // A later resume with no overrides sees the 9 steps: nothing is left to do.
        assertThat(TrainingRun.resume(run, Map.of(), RankContext.single(POOL), TrainingListener.NONE).stepsDone()).isEqualTo(9);
        assertThat(readMetrics(run).stream().filter(n -> n.get("type").asText().equals("train")).count()).isEqualTo(9);
    }

    @Test
    void resumeRefusesToChangeTheModel(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path run = tmp.resolve("out/run");
        TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 2, "bytes"), run, RankContext.single(POOL), TrainingListener.NONE);
        String before = Files.readString(run.resolve(TrainingRun.CONFIG_FILE));
        assertThatThrownBy(() -> TrainingRun.resume(run, Map.of("model.n_layer", "3"), RankContext.single(POOL), TrainingListener.NONE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.*");
        assertThat(run.resolve(TrainingRun.CONFIG_FILE)).hasContent(before);
    }

    @Test
    void modelVocabSizeSizesTheEmbedding(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        Path run = tmp.resolve("out/run");
        Map<String, String> o = tinyOverrides(corpus, tmp.resolve("out"), 2, "bytes");
        o.put("model.vocab_size", "320");
        TrainingRun.start(ConfigLoader.load(null, o), run, RankContext.single(POOL), TrainingListener.NONE);
        Path checkpoint = Checkpointer.resolve(run);
        assertThat(Checkpointer.readState(checkpoint).vocabSize()).isEqualTo(320);
        try (SafetensorsFile model = SafetensorsFile.open(checkpoint.resolve("model.safetensors"))) {
            assertThat(model.floats("transformer.wte.weight")).hasSize(320 * 32);
        }
        // Resume rebuilds the same 320-row model from the run's config.
        assertThat(TrainingRun.resume(run, Map.of("training.steps", "3"), RankContext.single(POOL), TrainingListener.NONE).stepsDone()).isEqualTo(3);
    }

    @Test
    void modelVocabSizeBelowTheTokenizersIsRejected() {
        ModelConfig small = TrainConfig.defaults().model().withVocabSize(200);
        assertThatThrownBy(() -> TrainingRun.modelSpec(small, 256))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.vocab_size=200").hasMessageContaining("256");
        assertThat(TrainingRun.modelSpec(small.withVocabSize(0), 256).vocabSize()).isEqualTo(256);
    }

    /**
     * bf16 mixed precision (bf16 GEMM operands, fp32 masters) trains like fp32: the first steps within 0.5%, the mean
     * of the last ten within 1% (a loss spike mid-run is allowed to differ: at lr 1e-2 the rounding moves it).
     */
    @Test
    void bf16MixedPrecisionTracksTheFp32Losses(@TempDir Path tmp) throws IOException {
        Path corpus = writeCorpus(tmp);
        System.setProperty("jspeed.cache.dir", tmp.resolve("cache").toString());
        Trainer.Result fp32 = TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 30, "bytes"), tmp.resolve("out/fp32"),
                RankContext.single(POOL), TrainingListener.NONE);
        Trainer.Result bf16 = TrainingRun.start(tinyConfig(corpus, tmp.resolve("out"), 30, "bytes", Map.of("bf16.enabled", "true")),
                tmp.resolve("out/bf16"), RankContext.single(POOL), TrainingListener.NONE);
        for (int i = 0; i < 10; i++)
            assertThat(bf16.losses().get(i)).as("loss at step %d", i + 1).isCloseTo(fp32.losses().get(i), org.assertj.core.data.Percentage.withPercentage(0.5));
        double fp32Tail = fp32.losses().subList(20, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double bf16Tail = bf16.losses().subList(20, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(bf16Tail).as("mean loss of steps 21-30").isCloseTo(fp32Tail, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(bf16.losses()).isNotEqualTo(fp32.losses()); // bf16 rounding really happened
        System.clearProperty("jspeed.cache.dir");
    }

    private static final class SimulatedCrash extends RuntimeException {}

    private static TrainingListener crashAfterCheckpoint(int step) {
        return new TrainingListener() {
            @Override
            public void onCheckpoint(int s, Path dir) {
                if (s == step) throw new SimulatedCrash();
            }
        };
    }

    static List<JsonNode> readMetrics(Path run) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(TrainingRun.METRICS_FILE))) out.add(json.readTree(line));
        return out;
    }

    static List<Double> trainLosses(Path run) throws IOException {
        return readMetrics(run).stream().filter(n -> n.get("type").asText().equals("train")).map(n -> n.get("loss").asDouble()).toList();
    }
}
