package io.jspeed.train.config;

import io.jspeed.train.zero.ZeroOptions;

import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run is told, validated: model, optimizer, schedule, data, batch sizes (DeepSpeed's
 * {@code train_batch_size = micro * accum * world}, world = the data-parallel ranks), precision, ZeRO settings,
 * collective deadline, run length, outputs and activation checkpointing. {@code minutes} 0 means no wall-clock cap; {@code threads} 0 means all
 * available processors (per rank: the threads of each rank's pool).
 */
public record TrainConfig(ModelConfig model, OptimizerConfig optimizer, SchedulerConfig scheduler, DataConfig data,
        int microBatch, int gradAccumSteps, int trainBatchSize, float gradClip, boolean bf16, ZeroOptions zero,
        double commTimeoutSeconds, int worldSize, int steps, double minutes, long seed, int stepsPerPrint, int evalEvery, int evalBatches, int checkpointEvery,
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
        ModelConfig.positive("world size", worldSize);
        if ((long) microBatch * gradAccumSteps * worldSize != trainBatchSize) {
            throw new ConfigException("train_batch_size", "train_batch_size=" + trainBatchSize
                    + ", train_micro_batch_size_per_gpu=" + microBatch + ", gradient_accumulation_steps="
                    + gradAccumSteps + ", world size " + worldSize + ": expected train_batch_size = micro batch * accumulation steps"
                    + " * world size = " + microBatch + " * " + gradAccumSteps + " * " + worldSize + " = "
                    + ((long) microBatch * gradAccumSteps * worldSize));
        }
        if (!(gradClip >= 0) || Float.isInfinite(gradClip)) {
            throw ConfigException.invalid("gradient_clipping", gradClip, "a finite number >= 0 (0 = no clipping)");
        }
        Objects.requireNonNull(zero, "zero");
        if (!(commTimeoutSeconds > 0) || Double.isInfinite(commTimeoutSeconds)) {
            throw ConfigException.invalid("comm_timeout_s", commTimeoutSeconds, "a finite number of seconds > 0");
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
}
