package io.jspeed.train.config;

import io.jspeed.model.text.EditDistance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key the configuration knows, by dotted path, with the JSON type its value must have. Sections
 * ({@code optimizer}, {@code optimizer.params}, ...) are the prefixes of these paths. Anything else is an error.
 */
final class ConfigKeys {

    /** The JSON type of a leaf value, how to check it and how to parse it from an override string. */
    enum Kind {
        INT("an integer"), LONG("an integer"), NUMBER("a number"), BOOL("true or false"), STRING("a string"),
        STRING_OR_NULL("a string or null"), INT_OR_NULL("an integer or null"), NUMBER_PAIR("an array of 2 numbers");

        final String description;

        Kind(String description) {
            this.description = description;
        }

        boolean accepts(JsonNode node) {
            return switch (this) {
                case INT -> fitsIn(node, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case LONG -> fitsIn(node, Long.MIN_VALUE, Long.MAX_VALUE);
                case NUMBER -> node.isNumber();
                case BOOL -> node.isBoolean();
                case STRING -> node.isTextual();
                case STRING_OR_NULL -> node.isTextual() || node.isNull();
                case INT_OR_NULL -> node.isNull() || INT.accepts(node);
                case NUMBER_PAIR -> node.isArray() && node.size() == 2 && node.get(0).isNumber() && node.get(1).isNumber();
            };
        }

        /** The JSON value an override string stands for, or null if it does not parse as this kind. */
        JsonNode parse(String text) {
            String t = text.strip();
            try {
                return switch (this) {
                    case INT, LONG, NUMBER -> {
                        JsonNode n = DecimalNode.valueOf(new BigDecimal(t));
                        yield accepts(n) ? n : null;
                    }
                    case BOOL -> t.equalsIgnoreCase("true") ? BooleanNode.TRUE
                            : t.equalsIgnoreCase("false") ? BooleanNode.FALSE : null;
                    case STRING -> TextNode.valueOf(text);
                    case STRING_OR_NULL -> t.equals("null") ? NullNode.getInstance() : TextNode.valueOf(text);
                    case INT_OR_NULL -> t.equals("null") ? NullNode.getInstance() : INT.parse(t);
                    case NUMBER_PAIR -> {
                        String inner = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
                        String[] parts = inner.split(",");
                        yield parts.length != 2 ? null : JsonNodeFactory.instance.arrayNode()
                                .add(new BigDecimal(parts[0].strip())).add(new BigDecimal(parts[1].strip()));
                    }
                };
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static boolean fitsIn(JsonNode node, long min, long max) {
            if (!node.isNumber()) {
                return false;
            }
            // 1e3 and 100.0 are whole numbers too; JSON does not distinguish them and DeepSpeed files use both.
            BigDecimal v = node.decimalValue();
            return v.stripTrailingZeros().scale() <= 0
                    && v.compareTo(BigDecimal.valueOf(min)) >= 0 && v.compareTo(BigDecimal.valueOf(max)) <= 0;
        }
    }

    static final Map<String, Kind> LEAVES = leaves();

    private ConfigKeys() {
    }

    private static Map<String, Kind> leaves() {
        Map<String, Kind> m = new LinkedHashMap<>();
        m.put("train_batch_size", Kind.INT);
        m.put("train_micro_batch_size_per_gpu", Kind.INT);
        m.put("gradient_accumulation_steps", Kind.INT);
        m.put("optimizer.type", Kind.STRING);
        m.put("optimizer.params.lr", Kind.NUMBER);
        m.put("optimizer.params.betas", Kind.NUMBER_PAIR);
        m.put("optimizer.params.eps", Kind.NUMBER);
        m.put("optimizer.params.weight_decay", Kind.NUMBER);
        m.put("scheduler.type", Kind.STRING);
        m.put("scheduler.params.warmup_num_steps", Kind.INT);
        m.put("scheduler.params.cos_min_ratio", Kind.NUMBER);
        m.put("scheduler.params.total_num_steps", Kind.INT);
        m.put("gradient_clipping", Kind.NUMBER);
        m.put("bf16.enabled", Kind.BOOL);
        m.put("fp16.enabled", Kind.BOOL);
        m.put("zero_optimization.stage", Kind.INT);
        m.put("zero_optimization.reduce_bucket_size", Kind.LONG);
        m.put("zero_optimization.allgather_bucket_size", Kind.LONG);
        m.put("zero_optimization.overlap_comm", Kind.BOOL);
        m.put("zero_optimization.contiguous_gradients", Kind.BOOL);
        m.put("zero_optimization.stage3_prefetch_bucket_size", Kind.LONG);
        m.put("zero_optimization.stage3_param_persistence_threshold", Kind.LONG);
        m.put("zero_optimization.stage3_max_live_parameters", Kind.LONG);
        m.put("zero_optimization.stage3_max_reuse_distance", Kind.LONG);
        m.put("comm_timeout_s", Kind.NUMBER);
        m.put("steps_per_print", Kind.INT);
        m.put("activation_checkpointing.partition_activations", Kind.BOOL);
        m.put("activation_checkpointing.cpu_checkpointing", Kind.BOOL);
        m.put("activation_checkpointing.number_checkpoints", Kind.INT_OR_NULL);
        m.put("activation_checkpointing.contiguous_memory_optimization", Kind.BOOL);
        m.put("activation_checkpointing.synchronize_checkpoint_boundary", Kind.BOOL);
        m.put("activation_checkpointing.profile", Kind.BOOL);
        m.put("model.type", Kind.STRING);
        m.put("model.vocab_size", Kind.INT);
        m.put("model.n_layer", Kind.INT);
        m.put("model.n_head", Kind.INT);
        m.put("model.n_kv_head", Kind.INT);
        m.put("model.d_model", Kind.INT);
        m.put("model.d_ff", Kind.INT);
        m.put("model.seq_len", Kind.INT);
        m.put("model.norm_eps", Kind.NUMBER);
        m.put("model.rope_theta", Kind.NUMBER);
        m.put("data.path", Kind.STRING_OR_NULL);
        m.put("data.tokenizer", Kind.STRING);
        m.put("data.vocab_size", Kind.INT);
        m.put("data.eval_fraction", Kind.NUMBER);
        m.put("training.steps", Kind.INT);
        m.put("training.minutes", Kind.NUMBER);
        m.put("training.seed", Kind.LONG);
        m.put("training.eval_every", Kind.INT);
        m.put("training.eval_batches", Kind.INT);
        m.put("training.checkpoint_every", Kind.INT);
        m.put("training.out_dir", Kind.STRING);
        m.put("training.threads", Kind.INT);
        m.put("training.checkpoint_activations", Kind.BOOL);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * DeepSpeed keys jspeed knows but does not honour yet: rejected with the reason, never silently ignored
     * (DeepSpeed itself ignores unknown keys, a top complaint of its users).
     */
    static final Map<String, String> NOT_YET_HONOURED = Map.ofEntries(
            Map.entry("zero_optimization.offload_optimizer", "ZeRO-Offload (optimizer states in CPU RAM or on NVMe) is not built yet"),
            Map.entry("zero_optimization.offload_param", "ZeRO-Infinity parameter offload is not built yet"),
            Map.entry("zero_optimization.zero_quantized_weights", "ZeRO++ quantized weight all-gather (qwZ) is not built yet"),
            Map.entry("zero_optimization.zero_quantized_gradients", "ZeRO++ quantized gradient reduce-scatter (qgZ) is not built yet"),
            Map.entry("zero_optimization.zero_hpz_partition_size", "ZeRO++ hierarchical partitioning (hpZ) is not built yet"),
            Map.entry("zero_optimization.sub_group_size", "optimizer sub-groups only matter with offload, which is not built yet"),
            Map.entry("zero_optimization.stage3_gather_16bit_weights_on_model_save", "checkpoints always hold full fp32 tensors by name; no gather option is needed"),
            Map.entry("zero_optimization.round_robin_gradients", "gradients are partitioned by contiguous bucket pieces, not round robin"),
            Map.entry("zero_optimization.mics_shard_size", "MiCS sharding is not built"),
            Map.entry("zero_optimization.elastic_checkpoint", "checkpoints are always topology-free; the option is not needed"),
            Map.entry("zero_optimization.allgather_partitions", "jspeed always all-gathers partitions (the DeepSpeed default); the switch is not honoured"),
            Map.entry("zero_optimization.reduce_scatter", "jspeed always reduce-scatters gradients (the DeepSpeed default); the switch is not honoured"),
            Map.entry("communication_data_type", "collectives run in fp32; compressed communication arrives with its own issue"),
            Map.entry("prescale_gradients", "gradients are scaled once before reduction; the switch is not honoured"),
            Map.entry("gradient_predivide_factor", "gradients are scaled once before reduction; the factor is not honoured"),
            Map.entry("amp", "NVIDIA apex AMP has no meaning on the JVM; use bf16.enabled"),
            Map.entry("pipeline", "pipeline parallelism is not built yet"),
            Map.entry("sparse_attention", "sparse attention is not built"),
            Map.entry("flops_profiler", "the flops profiler is not built; ./jspeed bench train reports MFU"),
            Map.entry("wall_clock_breakdown", "per-phase wall clock breakdown is not built; metrics.jsonl has step times and a comms log"),
            Map.entry("tensorboard", "TensorBoard output is not built; metrics.jsonl holds every metric"),
            Map.entry("wandb", "Weights & Biases output is not built; metrics.jsonl holds every metric"));

    static boolean isLeaf(String path) {
        return LEAVES.containsKey(path);
    }

    static boolean isSection(String path) {
        String prefix = path + ".";
        return LEAVES.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /** The names directly inside {@code section} ("" for the top level), in declaration order. */
    static List<String> childrenOf(String section) {
        String prefix = section.isEmpty() ? "" : section + ".";
        List<String> children = new ArrayList<>();
        for (String key : LEAVES.keySet()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int dot = rest.indexOf('.');
                String child = dot < 0 ? rest : rest.substring(0, dot);
                if (!children.contains(child)) {
                    children.add(child);
                }
            }
        }
        return children;
    }

    /** The error for a key that does not exist, suggesting the nearest known key at the same level. */
    static ConfigException unknown(String path) {
        String reason = NOT_YET_HONOURED.get(path);
        if (reason != null) {
            return new ConfigException(path, "\"" + path + "\" is a DeepSpeed key that jspeed does not honour yet: " + reason
                    + "; remove it from the config");
        }
        int dot = path.lastIndexOf('.');
        String section = dot < 0 ? "" : path.substring(0, dot);
        String name = path.substring(dot + 1);
        List<String> known = childrenOf(section);
        String nearest = known.stream().min(Comparator.comparingInt((String k) -> EditDistance.between(name, k))).orElseThrow();
        String prefix = section.isEmpty() ? "" : section + ".";
        return new ConfigException(path, "unknown key \"" + path + "\"; did you mean \"" + prefix + nearest + "\"? ("
                + (section.isEmpty() ? "top-level keys" : "keys in " + section) + ": " + String.join(", ", known) + ")");
    }
}
