package io.jspeed.train.config;

import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run is told, validated: model, optimizer, schedule, data, batch sizes (DeepSpeed's
 * {@code train_batch_size = micro * accum * world}, world = 1 here), precision, ZeRO stage, run length and outputs, activation checkpointing.
 * {@code minutes} 0 means no wall-clock cap; {@code threads} 0 means all available processors.
 */
public record TrainConfig(ModelConfig model, OptimizerConfig optimizer, SchedulerConfig scheduler, DataConfig data,
        int microBatch, int gradAccumSteps, int trainBatchSize, float gradClip, boolean bf16, int zeroStage,
        int steps, double minutes, long seed, int stepsPerPrint, int evalEvery, int evalBatches, int checkpointEvery,
        String outDir, int threads, ActivationCheckpointingConfig activationCheckpointing) {

    public TrainConfig {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(activationCheckpointing, "activationCheckpointing");
        ModelConfig.positive("train_micro_batch_size_per_gpu", microBatch);
        ModelConfig.positive("gradient_accumulation_steps", gradAccumSteps);
        ModelConfig.positive("train_batch_size", trainBatchSize);
        if ((long) microBatch * gradAccumSteps != trainBatchSize) {
            throw new ConfigException("train_batch_size", "train_batch_size=" + trainBatchSize
                    + ", train_micro_batch_size_per_gpu=" + microBatch + ", gradient_accumulation_steps="
                    + gradAccumSteps + ": expected train_batch_size = micro batch * accumulation steps * world size (1)");
        }
        if (!(gradClip >= 0) || Float.isInfinite(gradClip)) {
            throw ConfigException.invalid("gradient_clipping", gradClip, "a finite number >= 0 (0 = no clipping)");
        }
        if (zeroStage != 0) {
            throw zeroStageUnsupported(zeroStage);
        }
        ModelConfig.positive("training.steps", steps);
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw ConfigException.invalid("training.minutes", minutes, "a finite number >= 0 (0 = no time cap)");
        }
        ModelConfig.positive("steps_per_print", stepsPerPrint);
        ModelConfig.positive("training.eval_every", evalEvery);
        ModelConfig.positive("training.eval_batches", evalBatches);
        ModelConfig.positive("training.checkpoint_every", checkpointEvery);
        if (outDir == null || outDir.isBlank()) {
            throw ConfigException.invalid("training.out_dir", ModelConfig.quote(outDir), "a directory path");
        }
        if (threads < 0) {
            throw ConfigException.invalid("training.threads", threads, "an integer >= 0 (0 = all available processors)");
        }
        if (model.vocabSize() != 0 && model.vocabSize() < data.vocabSize()) {
            throw ConfigException.invalid("model.vocab_size", model.vocabSize(), "0 (take it from the tokenizer) or >= "
                    + "data.vocab_size (" + data.vocabSize() + "), so every token has an embedding row");
        }
    }

    /** The embedded default run: a small GPT-2 on the JDK's own sources. */
    public static TrainConfig defaults() {
        return ConfigLoader.load(null, Map.of());
    }

    /** This configuration in the JSON form {@link ConfigLoader} reads; {@code fromJson(toJson())} equals this. */
    public String toJson() {
        return ConfigJson.write(this);
    }

    static ConfigException zeroStageUnsupported(int stage) {
        if (stage < 0 || stage > 3) {
            return ConfigException.invalid("zero_optimization.stage", stage, "0, 1, 2 or 3");
        }
        return new ConfigException("zero_optimization.stage", "zero_optimization.stage=" + stage
                + " needs data parallelism, which arrives with the comm module; this build trains on one rank (stage 0)");
    }
}
