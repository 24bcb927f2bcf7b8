package io.jspeed.cli;

import picocli.CommandLine.Option;

import java.util.Map;

/**
 * The training options train and bench train share. Each is null unless given: train then keeps its config's value
 * (the config key is named in the description), bench train the default its accessor returns.
 */
final class TrainingOptions {

    @Option(names = "--threads", description = "Worker threads (training.threads, 0 = all processors), shared among in-process ranks unless --threads-per-rank is given.")
    Integer threads;

    @Option(names = "--zero-stage", paramLabel = "0-3", description = "ZeRO stage (zero_optimization.stage, default 0): 1 partitions optimizer states, 2 also gradients, 3 also parameters.")
    Integer zeroStage;

    @Option(names = "--bf16", description = "bf16 mixed precision (bf16.enabled): the optimizer updates fp32 master weights, the model"
            + " computes with bf16-rounded weights, and every GEMM runs on bf16 operands with fp32 accumulation (oneDNN"
            + " where libdnnl2 is installed and measured faster on this host, else the Java path); activations, gradients"
            + " and all other arithmetic stay fp32, so it saves time on hosts with bf16 instructions, not memory.")
    Boolean bf16;

    @Option(names = "--checkpoint-activations", description = "Keep only each block's input in forward and recompute the block in backward (training.checkpoint_activations): less memory, one more forward per step.")
    Boolean checkpointActivations;

    /** The options given, as config overrides by dotted key. */
    void addOverrides(Map<String, String> overrides) {
        putIfGiven(overrides, "training.threads", threads);
        putIfGiven(overrides, "bf16.enabled", bf16);
        putIfGiven(overrides, "zero_optimization.stage", zeroStage);
        putIfGiven(overrides, "training.checkpoint_activations", checkpointActivations);
    }

    // For a command without a config (bench train): each option's value, or what not giving it means.

    /** --threads, or 0: all processors. */
    int threadsOrAll() {
        return threads == null ? 0 : threads;
    }

    /** --zero-stage, or 0: plain data parallelism. */
    int zeroStageOrZero() {
        return zeroStage == null ? 0 : zeroStage;
    }

    boolean bf16Enabled() {
        return Boolean.TRUE.equals(bf16);
    }

    boolean checkpointActivationsEnabled() {
        return Boolean.TRUE.equals(checkpointActivations);
    }

    /** A command-line value as a config override; absent options (null) leave the config alone. */
    static void putIfGiven(Map<String, String> overrides, String key, Object value) {
        if (value != null) overrides.put(key, String.valueOf(value));
    }
}
