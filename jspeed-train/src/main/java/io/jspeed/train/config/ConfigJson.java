package io.jspeed.train.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a {@link TrainConfig} as the JSON document {@link ConfigLoader} reads back to an equal record. */
final class ConfigJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ConfigJson() {
    }

    static String write(TrainConfig c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("train_batch_size", c.trainBatchSize());
        root.put("train_micro_batch_size_per_gpu", c.microBatch());
        // Accumulation steps are derived (total / (micro * world)), so the file resumes on another number of ranks.

        OptimizerConfig o = c.optimizer();
        ObjectNode optimizer = root.putObject("optimizer");
        optimizer.put("type", o.type());
        ObjectNode op = optimizer.putObject("params");
        op.put("lr", o.lr());
        op.putArray("betas").add(o.beta1()).add(o.beta2());
        op.put("eps", o.eps());
        op.put("weight_decay", o.weightDecay());

        // Only the parameters the schedule uses: the loader rejects the others as ones that would be ignored.
        SchedulerConfig s = c.scheduler();
        ObjectNode scheduler = root.putObject("scheduler");
        scheduler.put("type", s.type());
        ObjectNode sp = scheduler.putObject("params");
        if (!s.type().equals("constant")) {
            sp.put("warmup_num_steps", s.warmupSteps());
        }
        if (s.type().equals("WarmupCosineLR")) {
            sp.put("cos_min_ratio", s.minLrRatio());
        }

        root.put("gradient_clipping", c.gradClip());
        root.putObject("bf16").put("enabled", c.bf16());
        root.putObject("fp16").put("enabled", false);
        ObjectNode zero = root.putObject("zero_optimization");
        zero.put("stage", c.zero().stage());
        zero.put("reduce_bucket_size", c.zero().reduceBucketSize());
        zero.put("allgather_bucket_size", c.zero().allgatherBucketSize());
        zero.put("overlap_comm", c.zero().overlapComm());
        zero.put("contiguous_gradients", c.zero().contiguousGradients());
        zero.put("stage3_prefetch_bucket_size", c.zero().prefetchBucketSize());
        zero.put("stage3_param_persistence_threshold", c.zero().paramPersistenceThreshold());
        zero.put("stage3_max_live_parameters", c.zero().maxLiveParameters());
        zero.put("stage3_max_reuse_distance", c.zero().maxReuseDistance());
        root.put("comm_timeout_s", c.commTimeoutSeconds());
        root.put("steps_per_print", c.stepsPerPrint());
        ActivationCheckpointingConfig ac = c.activationCheckpointing();
        if (ac.enabled()) {
            ObjectNode block = root.putObject("activation_checkpointing");
            block.put("cpu_checkpointing", ac.cpuCheckpointing());
            if (ac.numberCheckpoints() > 0) block.put("number_checkpoints", ac.numberCheckpoints());
        }

        ModelConfig m = c.model();
        ObjectNode model = root.putObject("model");
        model.put("type", m.type());
        model.put("vocab_size", m.vocabSize());
        model.put("n_layer", m.nLayer());
        model.put("n_head", m.nHead());
        model.put("n_kv_head", m.nKvHead());
        model.put("d_model", m.dModel());
        model.put("d_ff", m.dFf());
        model.put("seq_len", m.seqLen());
        model.put("norm_eps", m.normEps());
        model.put("rope_theta", m.ropeTheta());

        DataConfig d = c.data();
        ObjectNode data = root.putObject("data");
        data.put("path", d.path());
        data.put("tokenizer", d.tokenizer());
        data.put("vocab_size", d.vocabSize());
        data.put("eval_fraction", d.evalFraction());

        ObjectNode training = root.putObject("training");
        training.put("steps", c.steps());
        training.put("minutes", c.minutes());
        training.put("seed", c.seed());
        training.put("eval_every", c.evalEvery());
        training.put("eval_batches", c.evalBatches());
        training.put("checkpoint_every", c.checkpointEvery());
        training.put("out_dir", c.outDir());
        training.put("threads", c.threads());
        training.put("checkpoint_activations", c.activationCheckpointing().enabled());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a configuration tree", e);
        }
    }
}
