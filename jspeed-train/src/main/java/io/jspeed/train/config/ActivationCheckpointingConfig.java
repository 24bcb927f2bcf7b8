package io.jspeed.train.config;

/**
 * Activation checkpointing: forward keeps only each transformer block's input and backward recomputes the block
 * (one more forward per step, bitwise the same training). On with {@code training.checkpoint_activations: true}
 * ({@code --checkpoint-activations}) or, when that key is absent, whenever DeepSpeed's
 * {@code activation_checkpointing} block is present.
 *
 * <p>Of that block's keys: {@code cpu_checkpointing} is accepted and means the checkpoints stay off the working set;
 * they are ordinary heap arrays the working set never touches between forward and backward, so it changes nothing
 * beyond checkpointing itself. {@code number_checkpoints} may be null or model.n_layer (every block is a
 * checkpoint); other counts are rejected. {@code partition_activations} must be false (it needs model parallelism).
 * {@code contiguous_memory_optimization}, {@code synchronize_checkpoint_boundary} and {@code profile} are accepted
 * and have no effect (the checkpoints are already one buffer per block boundary; there is one rank to synchronise).
 *
 * @param numberCheckpoints the configured count, 0 when null or absent
 */
public record ActivationCheckpointingConfig(boolean enabled, boolean cpuCheckpointing, int numberCheckpoints) {

    public static final ActivationCheckpointingConfig OFF = new ActivationCheckpointingConfig(false, false, 0);

    public ActivationCheckpointingConfig {
        if (numberCheckpoints < 0) {
            throw ConfigException.invalid("activation_checkpointing.number_checkpoints", numberCheckpoints, "null or model.n_layer");
        }
    }
}
