package io.jspeed.train.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTheEmbeddedRun() {
        TrainConfig c = TrainConfig.defaults();
        assertThat(c.model()).isEqualTo(new ModelConfig("gpt2", 0, 4, 4, 4, 256, 1024, 256, 1e-5f, 10000f));
        assertThat(c.model().headDim()).isEqualTo(64);
        assertThat(c.optimizer()).isEqualTo(new OptimizerConfig("AdamW", 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f));
        assertThat(c.scheduler()).isEqualTo(new SchedulerConfig("WarmupCosineLR", 50, 0.1f));
        assertThat(c.data()).isEqualTo(new DataConfig(null, "bpe", 4096, 0.01f));
        assertThat(c.microBatch()).isEqualTo(8);
        assertThat(c.gradAccumSteps()).isEqualTo(1);
        assertThat(c.trainBatchSize()).isEqualTo(8);
        assertThat(c.gradClip()).isEqualTo(1.0f);
        assertThat(c.bf16()).isFalse();
        assertThat(c.zero().stage()).isZero();
        assertThat(c.steps()).isEqualTo(1100);
        assertThat(c.minutes()).isEqualTo(5.0);
        assertThat(c.seed()).isEqualTo(1337L);
        assertThat(c.stepsPerPrint()).isEqualTo(10);
        assertThat(c.evalEvery()).isEqualTo(100);
        assertThat(c.evalBatches()).isEqualTo(8);
        assertThat(c.checkpointEvery()).isEqualTo(200);
        assertThat(c.outDir()).isEqualTo("out");
        assertThat(c.threads()).isZero();
        assertThat(ConfigLoader.fromJson("{}", "empty")).isEqualTo(c);
    }

    @Test
    void fullDeepSpeedStyleFileParses() throws IOException {
        Path file = dir.resolve("ds_config.json");
        Files.writeString(file, """
                {
                  "train_batch_size": 32,
                  "train_micro_batch_size_per_gpu": 4,
                  "gradient_accumulation_steps": 8,
                  "optimizer": {"type": "Adam", "params": {"lr": 3e-4, "betas": [0.8, 0.999], "eps": 1e-6, "weight_decay": 0.01}},
                  "scheduler": {"type": "WarmupCosineLR",
                                "params": {"warmup_num_steps": 20, "cos_min_ratio": 0.05, "total_num_steps": 400}},
                  "gradient_clipping": 0.5,
                  "bf16": {"enabled": true},
                  "fp16": {"enabled": false},
                  "zero_optimization": {"stage": 0},
                  "steps_per_print": 5,
                  "model": {"type": "llama", "vocab_size": 8192, "n_layer": 6, "n_head": 8, "n_kv_head": 2,
                            "d_model": 512, "d_ff": 1408, "seq_len": 1024, "norm_eps": 1e-6, "rope_theta": 500000},
                  "data": {"path": "/data/corpus.txt", "tokenizer": "bpe", "vocab_size": 8000, "eval_fraction": 0.05},
                  "training": {"steps": 400, "minutes": 0, "seed": 42, "eval_every": 50, "eval_batches": 4,
                               "checkpoint_every": 100, "out_dir": "runs/a", "threads": 2}
                }
                """);
        TrainConfig c = ConfigLoader.load(file, Map.of());
        assertThat(c.model()).isEqualTo(new ModelConfig("llama", 8192, 6, 8, 2, 512, 1408, 1024, 1e-6f, 500000f));
        assertThat(c.optimizer()).isEqualTo(new OptimizerConfig("AdamW", 3e-4f, 0.8f, 0.999f, 1e-6f, 0.01f));
        assertThat(c.scheduler()).isEqualTo(new SchedulerConfig("WarmupCosineLR", 20, 0.05f));
        assertThat(c.data()).isEqualTo(new DataConfig("/data/corpus.txt", "bpe", 8000, 0.05f));
        assertThat(new int[] {c.microBatch(), c.gradAccumSteps(), c.trainBatchSize()}).containsExactly(4, 8, 32);
        assertThat(c.gradClip()).isEqualTo(0.5f);
        assertThat(c.bf16()).isTrue();
        assertThat(c.stepsPerPrint()).isEqualTo(5);
        assertThat(c.steps()).isEqualTo(400);
        assertThat(c.minutes()).isZero();
        assertThat(c.seed()).isEqualTo(42L);
        assertThat(c.evalEvery()).isEqualTo(50);
        assertThat(c.evalBatches()).isEqualTo(4);
        assertThat(c.checkpointEvery()).isEqualTo(100);
        assertThat(c.outDir()).isEqualTo("runs/a");
        assertThat(c.threads()).isEqualTo(2);
    }

    @Test
    void modelDefaultsDependOnType() {
        ModelConfig llama = ConfigLoader.fromJson("{\"model\": {\"type\": \"llama\", \"n_head\": 8}}", "t").model();
        // 4 * 256 * 2 / 3 = 682.7, rounded up to a multiple of 64.
        assertThat(llama.dFf()).isEqualTo(704);
        assertThat(llama.nKvHead()).isEqualTo(8);
        assertThat(llama.headDim()).isEqualTo(32);
        ModelConfig wide = ConfigLoader.fromJson("{\"model\": {\"type\": \"llama\", \"d_model\": 96, \"n_head\": 6}}", "t").model();
        assertThat(wide.dFf()).isEqualTo(256); // 256 = ceil(8 * 96 / 3 / 64) * 64
        assertThat(ConfigLoader.fromJson("{\"model\": {\"d_model\": 96, \"n_head\": 6}}", "t").model().dFf()).isEqualTo(384);
        assertThat(llama.withVocabSize(5000)).isEqualTo(new ModelConfig("llama", 5000, 4, 8, 8, 256, 704, 256, 1e-5f, 10000f));
    }

    @Test
    void batchSizesFollowDeepSpeedRule() {
        assertBatch("{\"train_batch_size\": 32, \"train_micro_batch_size_per_gpu\": 4}", 4, 8, 32);
        assertBatch("{\"train_batch_size\": 32, \"gradient_accumulation_steps\": 2}", 16, 2, 32);
        assertBatch("{\"train_micro_batch_size_per_gpu\": 3, \"gradient_accumulation_steps\": 5}", 3, 5, 15);
        assertBatch("{\"train_batch_size\": 12}", 12, 1, 12);
        assertBatch("{\"train_micro_batch_size_per_gpu\": 6}", 6, 1, 6);
        assertBatch("{\"gradient_accumulation_steps\": 4}", 8, 4, 32);
        assertBatch("{\"train_batch_size\": 16, \"train_micro_batch_size_per_gpu\": 8, \"gradient_accumulation_steps\": 2}",
                8, 2, 16);
        assertBatch("{\"train_batch_size\": 1e2, \"train_micro_batch_size_per_gpu\": 25.0}", 25, 4, 100);
    }

    @Test
    void inconsistentBatchSizesNameAllThree() {
        assertError("{\"train_batch_size\": 16, \"train_micro_batch_size_per_gpu\": 4, \"gradient_accumulation_steps\": 2}")
                .hasMessageContaining("train_batch_size=16").hasMessageContaining("train_micro_batch_size_per_gpu=4")
                .hasMessageContaining("gradient_accumulation_steps=2");
        assertError("{\"train_batch_size\": 10, \"train_micro_batch_size_per_gpu\": 4}")
                .hasMessageContaining("train_batch_size=10").hasMessageContaining("multiple");
        assertError("{\"train_micro_batch_size_per_gpu\": 0}").hasMessageContaining("train_micro_batch_size_per_gpu=0");
    }

    @Test
    void unknownKeysNameTheNearestKnownKey() {
        assertError("{\"gradient_cliping\": 1.0}").hasMessageContaining("\"gradient_cliping\"")
                .hasMessageContaining("did you mean \"gradient_clipping\"");
        assertError("{\"optimizer\": {\"params\": {\"betaz\": [0.9, 0.9]}}}")
                .hasMessageContaining("\"optimizer.params.betaz\"").hasMessageContaining("\"optimizer.params.betas\"");
        assertError("{\"model\": {\"n_heads\": 4}}").hasMessageContaining("did you mean \"model.n_head\"");
        assertError("{\"zero_optimization\": {\"stage\": 0, \"offload_param\": {}}}")
                .hasMessageContaining("zero_optimization.offload_param").hasMessageContaining("does not honour yet");
        assertError("{\"trainig\": {\"steps\": 5}}").hasMessageContaining("did you mean \"training\"");
    }

    @Test
    void wrongJsonTypesNameTheExpectedType() {
        assertError("{\"training\": {\"steps\": \"100\"}}").hasMessageContaining("training.steps=\"100\"")
                .hasMessageContaining("an integer");
        assertError("{\"training\": {\"steps\": 10.5}}").hasMessageContaining("training.steps").hasMessageContaining("an integer");
        assertError("{\"optimizer\": {\"params\": {\"lr\": \"fast\"}}}").hasMessageContaining("optimizer.params.lr")
                .hasMessageContaining("a number");
        assertError("{\"bf16\": {\"enabled\": \"yes\"}}").hasMessageContaining("bf16.enabled").hasMessageContaining("true or false");
        assertError("{\"optimizer\": {\"params\": {\"betas\": [0.9]}}}").hasMessageContaining("optimizer.params.betas")
                .hasMessageContaining("an array of 2 numbers");
        assertError("{\"optimizer\": \"AdamW\"}").hasMessageContaining("optimizer=\"AdamW\"").hasMessageContaining("an object");
        assertError("{\"model\": {\"type\": null}}").hasMessageContaining("model.type").hasMessageContaining("a string");
        assertError("{\"training\": {\"steps\": 3000000000}}").hasMessageContaining("training.steps");
    }

    @Test
    void rangesAreChecked() {
        assertError("{\"optimizer\": {\"params\": {\"lr\": 0}}}").hasMessageContaining("optimizer.params.lr=0");
        assertError("{\"optimizer\": {\"params\": {\"lr\": 1e60}}}").hasMessageContaining("optimizer.params.lr");
        assertError("{\"optimizer\": {\"params\": {\"betas\": [0.9, 1.0]}}}").hasMessageContaining("optimizer.params.betas")
                .hasMessageContaining("[0, 1)");
        assertError("{\"optimizer\": {\"params\": {\"eps\": 0}}}").hasMessageContaining("optimizer.params.eps");
        assertError("{\"optimizer\": {\"params\": {\"weight_decay\": -0.1}}}").hasMessageContaining("optimizer.params.weight_decay");
        assertError("{\"optimizer\": {\"type\": \"SGD\"}}").hasMessageContaining("optimizer.type=\"SGD\"").hasMessageContaining("AdamW");
        assertError("{\"gradient_clipping\": -1}").hasMessageContaining("gradient_clipping=-1.0");
        assertError("{\"data\": {\"eval_fraction\": 0.5}}").hasMessageContaining("data.eval_fraction").hasMessageContaining("(0, 0.5)");
        assertError("{\"data\": {\"eval_fraction\": 0}}").hasMessageContaining("data.eval_fraction");
        assertError("{\"data\": {\"vocab_size\": 200}}").hasMessageContaining("data.vocab_size=200").hasMessageContaining("256");
        assertError("{\"data\": {\"tokenizer\": \"wordpiece\"}}").hasMessageContaining("data.tokenizer=\"wordpiece\"")
                .hasMessageContaining("\"bpe\", \"bytes\"");
        assertError("{\"model\": {\"type\": \"gpt3\"}}").hasMessageContaining("model.type=\"gpt3\"")
                .hasMessageContaining("\"gpt2\", \"llama\"");
        assertError("{\"model\": {\"d_model\": 100, \"n_head\": 3}}").hasMessageContaining("model.n_head=3")
                .hasMessageContaining("model.d_model (100)");
        assertError("{\"model\": {\"type\": \"llama\", \"n_head\": 4, \"n_kv_head\": 3}}").hasMessageContaining("model.n_kv_head=3");
        assertError("{\"model\": {\"type\": \"llama\", \"d_model\": 36, \"n_head\": 4}}").hasMessageContaining("model.n_head=4")
                .hasMessageContaining("even");
        assertError("{\"model\": {\"n_kv_head\": 2}}").hasMessageContaining("model.n_kv_head=2").hasMessageContaining("gpt2");
        assertError("{\"model\": {\"n_layer\": 0}}").hasMessageContaining("model.n_layer=0");
        assertError("{\"model\": {\"vocab_size\": 1000}}").hasMessageContaining("model.vocab_size=1000")
                .hasMessageContaining("data.vocab_size (4096)");
        assertError("{\"scheduler\": {\"type\": \"OneCycle\"}}").hasMessageContaining("scheduler.type=\"OneCycle\"")
                .hasMessageContaining("WarmupLR");
        assertError("{\"training\": {\"steps\": 0}}").hasMessageContaining("training.steps=0");
        assertError("{\"training\": {\"threads\": -1}}").hasMessageContaining("training.threads=-1");
        assertError("{\"training\": {\"minutes\": -2}}").hasMessageContaining("training.minutes");
        assertError("{\"training\": {\"out_dir\": \"\"}}").hasMessageContaining("training.out_dir");
        assertError("{\"steps_per_print\": 0}").hasMessageContaining("steps_per_print=0");
    }

    @Test
    void precisionBeyondThisBuildAndBadZeroStagesAreRefused() {
        assertError("{\"fp16\": {\"enabled\": true}}").hasMessageContaining("fp16").hasMessageContaining("bf16");
        assertThat(ConfigLoader.fromJson("{\"zero_optimization\": {\"stage\": 2, \"reduce_bucket_size\": 1000}}", "t").zero())
                .satisfies(z -> {
                    assertThat(z.stage()).isEqualTo(2);
                    assertThat(z.reduceBucketSize()).isEqualTo(1000);
                });
        assertError("{\"zero_optimization\": {\"stage\": 7}}").hasMessageContaining("zero_optimization.stage=7")
                .hasMessageContaining("0, 1, 2 or 3");
        assertThat(ConfigLoader.fromJson("{\"bf16\": {\"enabled\": true}}", "t").bf16()).isTrue();
    }

    @Test
    void overlapCommDefaultsAsDeepSpeedOnlyAtStageThree() {
        for (int stage = 0; stage <= 3; stage++) {
            assertThat(ConfigLoader.fromJson("{\"zero_optimization\": {\"stage\": " + stage + "}}", "t").zero().overlapComm())
                    .as("stage %d", stage).isEqualTo(stage == 3);
        }
        assertThat(ConfigLoader.fromJson("{\"zero_optimization\": {\"stage\": 2, \"overlap_comm\": true}}", "t").zero().overlapComm()).isTrue();
        assertThat(ConfigLoader.fromJson("{\"zero_optimization\": {\"stage\": 3, \"overlap_comm\": false}}", "t").zero().overlapComm()).isFalse();
    }

    @Test
    void schedulerParamsMustFitTheScheduler() {
        assertThat(ConfigLoader.fromJson("{\"scheduler\": {\"type\": \"WarmupLR\", \"params\": {\"warmup_num_steps\": 7}}}", "t")
                .scheduler()).isEqualTo(new SchedulerConfig("WarmupLR", 7, 1f));
        assertThat(ConfigLoader.fromJson("{\"scheduler\": {\"type\": \"constant\"}}", "t").scheduler())
                .isEqualTo(new SchedulerConfig("constant", 0, 1f));
        assertThat(ConfigLoader.fromJson("{\"scheduler\": {\"params\": {\"total_num_steps\": 1100}}}", "t").steps()).isEqualTo(1100);
        assertError("{\"scheduler\": {\"params\": {\"total_num_steps\": 500}}}")
                .hasMessageContaining("scheduler.params.total_num_steps=500").hasMessageContaining("training.steps (1100)");
        assertError("{\"scheduler\": {\"type\": \"WarmupLR\", \"params\": {\"cos_min_ratio\": 0.1}}}")
                .hasMessageContaining("scheduler.params.cos_min_ratio").hasMessageContaining("WarmupLR");
        assertError("{\"scheduler\": {\"type\": \"constant\", \"params\": {\"warmup_num_steps\": 3}}}")
                .hasMessageContaining("scheduler.params.warmup_num_steps");
    }

    @Test
    void malformedJsonNamesTheFileLineAndColumn() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\n  \"training\": {\n    \"steps\": 10,,\n  }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("line 3").hasMessageContaining("column");
        assertError("[1, 2]").hasMessageContaining("expected one JSON object");
        assertError("").hasMessageContaining("empty");
        assertError("{\"steps_per_print\": 1, \"steps_per_print\": 2}").hasMessageContaining("steps_per_print");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.json"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.json");
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path file = dir.resolve("mine.json");
        Files.writeString(file, "{\"gradient_cliping\": 1}");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining("gradient_clipping")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("gradient_cliping"));
    }

    @Test
    void overridesApplyAfterTheFileWithTheKeysType() throws IOException {
        Path file = dir.resolve("base.json");
        Files.writeString(file, "{\"training\": {\"steps\": 50, \"seed\": 1}, \"model\": {\"n_layer\": 2}}");
        TrainConfig c = ConfigLoader.load(file, Map.of(
                "training.steps", "100",
                "zero_optimization.stage", "0",
                "model.type", "llama",
                "optimizer.params.betas", "0.8, 0.99",
                "optimizer.params.lr", "3e-4",
                "bf16.enabled", "true",
                "data.path", "corpus.txt",
                "training.seed", "9000000000"));
        assertThat(c.steps()).isEqualTo(100);
        assertThat(c.model().type()).isEqualTo("llama");
        assertThat(c.model().nLayer()).isEqualTo(2);
        assertThat(c.model().dFf()).isEqualTo(704); // the llama default, derived after the override
        assertThat(c.optimizer().beta1()).isEqualTo(0.8f);
        assertThat(c.optimizer().beta2()).isEqualTo(0.99f);
        assertThat(c.optimizer().lr()).isEqualTo(3e-4f);
        assertThat(c.bf16()).isTrue();
        assertThat(c.data().path()).isEqualTo("corpus.txt");
        assertThat(c.seed()).isEqualTo(9_000_000_000L);
        assertThat(ConfigLoader.load(null, Map.of("data.path", "null")).data().path()).isNull();
        assertThat(ConfigLoader.load(null, Map.of("optimizer.params.betas", "[0.5,0.6]")).optimizer().beta1()).isEqualTo(0.5f);
    }

    @Test
    void badOverridesNameKeyAndValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("training.stpes", "100")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("\"training.stpes\"")
                .hasMessageContaining("did you mean \"training.steps\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("gradient_cliping", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean \"gradient_clipping\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("trainng.steps", "100")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean \"training\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("training.steps", "ten")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("training.steps=\"ten\"")
                .hasMessageContaining("an integer");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("bf16.enabled", "yes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bf16.enabled=\"yes\"");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("optimizer", "AdamW")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("optimizer.type");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("training.steps.max", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a section");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("zero_optimization.stage", "4")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("zero_optimization.stage=4");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("model.n_head", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.n_head=5");
    }

    @Test
    void toJsonReadsBackEqual() {
        TrainConfig defaults = TrainConfig.defaults();
        assertThat(ConfigLoader.fromJson(defaults.toJson(), "defaults.json")).isEqualTo(defaults);
        TrainConfig custom = ConfigLoader.load(null, Map.ofEntries(
                Map.entry("model.type", "llama"), Map.entry("model.n_kv_head", "2"), Map.entry("model.norm_eps", "1e-6"),
                Map.entry("model.vocab_size", "300"), Map.entry("data.tokenizer", "bytes"),
                Map.entry("data.eval_fraction", "0.1"), Map.entry("optimizer.params.lr", "0.0003"),
                Map.entry("optimizer.params.betas", "0.9,0.999"), Map.entry("scheduler.type", "WarmupLR"),
                Map.entry("scheduler.params.warmup_num_steps", "13"), Map.entry("gradient_clipping", "0"),
                Map.entry("train_batch_size", "24"), Map.entry("gradient_accumulation_steps", "3"),
                Map.entry("bf16.enabled", "true"), Map.entry("training.minutes", "0.1"),
                Map.entry("training.seed", "-7"), Map.entry("data.path", "a \"quoted\" path")));
        assertThat(custom.microBatch()).isEqualTo(8);
        String json = custom.toJson();
        assertThat(json).contains("\"train_micro_batch_size_per_gpu\"").contains("\"warmup_num_steps\"")
                .doesNotContain("cos_min_ratio");
        assertThat(ConfigLoader.fromJson(json, "checkpoint.json")).isEqualTo(custom);
        TrainConfig constant = ConfigLoader.load(null, Map.of("scheduler.type", "constant"));
        assertThat(ConfigLoader.fromJson(constant.toJson(), "c.json")).isEqualTo(constant);
    }

    @Test
    void activationCheckpointingTakesDeepSpeedsBlockAndRejectsWhatItCannotDo() {
        assertThat(TrainConfig.defaults().activationCheckpointing()).isEqualTo(ActivationCheckpointingConfig.OFF);
        // the block's presence turns checkpointing on, as its keys configure checkpointing in DeepSpeed
        TrainConfig c = ConfigLoader.fromJson("""
                {"model": {"n_layer": 6},
                 "activation_checkpointing": {"partition_activations": false, "cpu_checkpointing": true,
                   "number_checkpoints": 6, "contiguous_memory_optimization": false,
                   "synchronize_checkpoint_boundary": false, "profile": true}}""", "ds.json");
        assertThat(c.activationCheckpointing()).isEqualTo(new ActivationCheckpointingConfig(true, true, 6));
        assertThat(ConfigLoader.fromJson(c.toJson(), "c.json")).isEqualTo(c);
        assertThat(ConfigLoader.fromJson("{\"activation_checkpointing\": {\"number_checkpoints\": null}}", "t")
                .activationCheckpointing().enabled()).isTrue();
        // the jspeed key (and --checkpoint-activations, which sets it) wins over the block's presence
        assertThat(ConfigLoader.fromJson("{\"activation_checkpointing\": {}, \"training\": {\"checkpoint_activations\": false}}", "t")
                .activationCheckpointing()).isEqualTo(ActivationCheckpointingConfig.OFF);
        TrainConfig flag = ConfigLoader.load(null, Map.of("training.checkpoint_activations", "true"));
        assertThat(flag.activationCheckpointing()).isEqualTo(new ActivationCheckpointingConfig(true, false, 0));
        assertThat(ConfigLoader.fromJson(flag.toJson(), "f.json")).isEqualTo(flag);

        assertError("{\"activation_checkpointing\": {\"partition_activations\": true}}")
                .hasMessageContaining("activation_checkpointing.partition_activations=true needs model parallelism");
        assertError("{\"model\": {\"n_layer\": 4}, \"activation_checkpointing\": {\"number_checkpoints\": 2}}")
                .hasMessageContaining("activation_checkpointing.number_checkpoints").hasMessageContaining("null or model.n_layer (4)");
        assertError("{\"activation_checkpointing\": {\"cpu_checkpoint\": true}}")
                .hasMessageContaining("did you mean \"activation_checkpointing.cpu_checkpointing\"");
        assertError("{\"activation_checkpointing\": {\"profile\": 1}}")
                .hasMessageContaining("activation_checkpointing.profile").hasMessageContaining("true or false");
    }

    @Test
    void floatsAreReadFromTheirDecimalTextExactly() {
        // 0.1 via double then float can differ from the float nearest 0.1 in rare cases; decimal text avoids it.
        for (String lr : new String[] {"0.1", "3e-4", "1.0000001", "0.30000001192092896", "6.0E-5"}) {
            float parsed = ConfigLoader.load(null, Map.of("optimizer.params.lr", lr)).optimizer().lr();
            assertThat(parsed).as(lr).isEqualTo(Float.parseFloat(lr));
            String json = "{\"optimizer\": {\"params\": {\"lr\": " + lr + "}}}";
            assertThat(ConfigLoader.fromJson(json, "t").optimizer().lr()).as(lr).isEqualTo(Float.parseFloat(lr));
        }
    }

    private static void assertBatch(String json, int micro, int accum, int total) {
        TrainConfig c = ConfigLoader.fromJson(json, "batch.json");
        assertThat(new int[] {c.microBatch(), c.gradAccumSteps(), c.trainBatchSize()}).as(json)
                .containsExactly(micro, accum, total);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertError(String json) {
        return assertThatThrownBy(() -> ConfigLoader.fromJson(json, "test.json"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("test.json");
    }
}
