package io.jspeed.train.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.train.zero.ZeroOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a training configuration: the JSON file (or nothing, for the embedded default run), then the overrides,
 * then defaults and derived values, then validation. The result is a {@link TrainConfig} whose every field has
 * been checked; any problem is a {@link ConfigException} naming the source, the dotted key and what was expected.
 *
 * <p>Strictness is deliberate: an unknown key, a value of the wrong JSON type, or a parameter the chosen scheduler
 * would ignore is an error, never silently skipped.
 */
public final class ConfigLoader {

    /** The run {@code ./jspeed train} does with no config file. */
    static final String DEFAULTS_SOURCE = "embedded defaults";

    // Floats are kept as exact decimals so that "0.1" becomes the float nearest 0.1, not a double rounded twice.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private ConfigLoader() {
    }

    /**
     * Loads {@code jsonFileOrNull} (null = the embedded defaults) and applies {@code overrides}, each a dotted key
     * ("training.steps") mapped to the text of its value ("100"), parsed as that key's type.
     */
    public static TrainConfig load(Path jsonFileOrNull, Map<String, String> overrides) {
        return load(jsonFileOrNull, overrides, 1);
    }

    /**
     * As {@link #load(Path, Map)} for a run over {@code worldSize} data-parallel ranks: DeepSpeed's batch rule
     * train_batch_size = micro batch * accumulation steps * world size derives whichever of the three is missing.
     */
    public static TrainConfig load(Path jsonFileOrNull, Map<String, String> overrides, int worldSize) {
        if (jsonFileOrNull == null) {
            return build(JSON.createObjectNode(), DEFAULTS_SOURCE, overrides, worldSize);
        }
        String text;
        try {
            text = Files.readString(jsonFileOrNull);
        } catch (IOException e) {
            throw new ConfigException(null, jsonFileOrNull + ": cannot read the config file (" + e + ")", e);
        }
        String source = jsonFileOrNull.toString();
        return build(parse(text, source), source, overrides, worldSize);
    }

    /** Parses a configuration document; {@code sourceName} appears in error messages. */
    public static TrainConfig fromJson(String json, String sourceName) {
        return fromJson(json, sourceName, 1);
    }

    public static TrainConfig fromJson(String json, String sourceName, int worldSize) {
        return build(parse(json, sourceName), sourceName, Map.of(), worldSize);
    }

    private static ObjectNode parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(null, source + ": malformed JSON" + where + ": " + e.getOriginalMessage()
                    + "; expected one JSON object", e);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ConfigException(null, source + ": the document is "
                    + (root == null || root.isMissingNode() ? "empty" : "a JSON " + root.getNodeType())
                    + "; expected one JSON object");
        }
        return object;
    }

    private static TrainConfig build(ObjectNode root, String source, Map<String, String> overrides, int worldSize) {
        try {
            checkKeys(root, "");
        } catch (ConfigException e) {
            throw e.within(source);
        }
        ConfigTree tree = new ConfigTree(root);
        for (Map.Entry<String, String> o : new TreeMap<>(overrides).entrySet()) {
            try {
                tree.set(o.getKey(), overrideValue(o.getKey(), o.getValue()));
            } catch (ConfigException e) {
                throw e.within("override " + o.getKey() + "=" + o.getValue());
            }
        }
        try {
            return assemble(tree, worldSize);
        } catch (ConfigException e) {
            throw e.within(overrides.isEmpty() ? source : source + " with overrides " + new TreeMap<>(overrides));
        }
    }

    /** Every key is known, every section an object, every value of its key's JSON type. */
    private static void checkKeys(ObjectNode node, String prefix) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String path = prefix + field.getKey();
            JsonNode value = field.getValue();
            ConfigKeys.Kind kind = ConfigKeys.LEAVES.get(path);
            if (kind != null) {
                if (!kind.accepts(value)) {
                    throw ConfigException.invalid(path, value, kind.description);
                }
            } else if (ConfigKeys.isSection(path)) {
                if (!(value instanceof ObjectNode section)) {
                    throw ConfigException.invalid(path, value,
                            "an object with keys " + String.join(", ", ConfigKeys.childrenOf(path)));
                }
                checkKeys(section, path + ".");
            } else {
                throw ConfigKeys.unknown(path);
            }
        }
    }

    private static JsonNode overrideValue(String key, String text) {
        String[] parts = key.split("\\.", -1);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            path.append(i == 0 ? "" : ".").append(parts[i]);
            String p = path.toString();
            boolean last = i == parts.length - 1;
            if (ConfigKeys.isLeaf(p) && !last) {
                throw new ConfigException(key, "\"" + key + "\": " + p + " is a value, not a section");
            }
            if (!ConfigKeys.isLeaf(p) && !ConfigKeys.isSection(p)) {
                throw ConfigKeys.unknown(p);
            }
        }
        ConfigKeys.Kind kind = ConfigKeys.LEAVES.get(key);
        if (kind == null) {
            throw new ConfigException(key, "\"" + key + "\" is a section; expected one of its keys: "
                    + String.join(", ", ConfigKeys.childrenOf(key).stream().map(c -> key + "." + c).toList()));
        }
        JsonNode value = kind.parse(text);
        if (value == null) {
            throw ConfigException.invalid(key, "\"" + text + "\"", kind.description);
        }
        return value;
    }

    /** Defaults, derived values and the checks that span sections; the records check their own fields. */
    private static TrainConfig assemble(ConfigTree t, int worldSize) {
        if (t.bool("fp16.enabled", false)) {
            throw new ConfigException("fp16.enabled", "fp16.enabled=true: fp16 is not supported (it needs loss "
                    + "scaling); expected \"fp16\": {\"enabled\": false} and, for 16-bit training, \"bf16\": {\"enabled\": true}");
        }
        int steps = t.integer("training.steps", 1100);
        if (worldSize < 1) throw ConfigException.invalid("world size", worldSize, "at least 1 rank");
        int[] batch = batchSizes(t, worldSize);
        return new TrainConfig(model(t), optimizer(t), scheduler(t, steps), data(t),
                batch[0], batch[1], batch[2],
                t.real32("gradient_clipping", 1.0f), t.bool("bf16.enabled", false), zero(t),
                t.real("comm_timeout_s", 300.0), worldSize, steps, t.real("training.minutes", 5.0), t.int64("training.seed", 1337),
                t.integer("steps_per_print", 10), t.integer("training.eval_every", 100),
                t.integer("training.eval_batches", 8), t.integer("training.checkpoint_every", 200),
                t.text("training.out_dir", "out"), t.integer("training.threads", 0), activationCheckpointing(t));
    }

    /** See {@link ActivationCheckpointingConfig} for what each key means here. */
    private static ActivationCheckpointingConfig activationCheckpointing(ConfigTree t) {
        String block = "activation_checkpointing";
        if (t.bool(block + ".partition_activations", false)) {
            throw new ConfigException(block + ".partition_activations", block + ".partition_activations=true needs model "
                    + "parallelism (activations are split across model-parallel ranks), which this build does not have; expected false");
        }
        String countKey = block + ".number_checkpoints";
        int nLayer = t.integer("model.n_layer", 4), count = 0;
        if (t.has(countKey) && !t.isNull(countKey)) {
            count = t.integer(countKey, 0);
            if (count != nLayer) {
                throw ConfigException.invalid(countKey, count, "null or model.n_layer (" + nLayer
                        + "): every transformer block is a checkpoint; other counts are not supported");
            }
        }
        if (!t.bool("training.checkpoint_activations", t.has(block))) return ActivationCheckpointingConfig.OFF;
        return new ActivationCheckpointingConfig(true, t.bool(block + ".cpu_checkpointing", false), count);
    }

    private static ZeroOptions zero(ConfigTree t) {
        int stage = t.integer("zero_optimization.stage", 0);
        if (stage < 0 || stage > 3) throw ConfigException.invalid("zero_optimization.stage", stage, "0, 1, 2 or 3");
        ZeroOptions d = ZeroOptions.stage(stage);
        ZeroOptions z = new ZeroOptions(stage,
                t.int64("zero_optimization.reduce_bucket_size", d.reduceBucketSize()),
                t.int64("zero_optimization.allgather_bucket_size", d.allgatherBucketSize()),
                t.bool("zero_optimization.overlap_comm", d.overlapComm()),
                t.bool("zero_optimization.contiguous_gradients", d.contiguousGradients()),
                t.int64("zero_optimization.stage3_prefetch_bucket_size", d.prefetchBucketSize()),
                t.int64("zero_optimization.stage3_param_persistence_threshold", d.paramPersistenceThreshold()),
                t.int64("zero_optimization.stage3_max_live_parameters", d.maxLiveParameters()),
                t.int64("zero_optimization.stage3_max_reuse_distance", d.maxReuseDistance()));
        for (String key : new String[] {"reduce_bucket_size", "allgather_bucket_size", "stage3_prefetch_bucket_size", "stage3_max_live_parameters"}) {
            String path = "zero_optimization." + key;
            if (t.has(path) && t.int64(path, 1) < 1) throw ConfigException.invalid(path, t.int64(path, 1), "a number of elements >= 1");
        }
        if (z.maxReuseDistance() < 0)
            throw ConfigException.invalid("zero_optimization.stage3_max_reuse_distance", z.maxReuseDistance(), "a number of elements >= 0 (0: never keep a block gathered)");
        if (t.has("zero_optimization.stage3_param_persistence_threshold") && z.paramPersistenceThreshold() < 0)
            throw ConfigException.invalid("zero_optimization.stage3_param_persistence_threshold", z.paramPersistenceThreshold(), "a number of elements >= 0");
        if (!z.contiguousGradients())
            throw ConfigException.invalid("zero_optimization.contiguous_gradients", false,
                    "true: jspeed's gradients always live in contiguous per-block buffers");
        return z;
    }

    private static ModelConfig model(ConfigTree t) {
        String type = t.text("model.type", "gpt2");
        int nHead = t.integer("model.n_head", 4);
        int dModel = t.integer("model.d_model", 256);
        int dFf = t.has("model.d_ff") ? t.integer("model.d_ff", 0)
                : ModelConfig.TYPES.contains(type) && dModel > 0 ? ModelConfig.defaultDFf(type, dModel) : 1;
        return new ModelConfig(type, t.integer("model.vocab_size", 0), t.integer("model.n_layer", 4), nHead,
                t.integer("model.n_kv_head", nHead), dModel, dFf, t.integer("model.seq_len", 256),
                t.real32("model.norm_eps", 1e-5f), t.real32("model.rope_theta", 10000f));
    }

    private static OptimizerConfig optimizer(ConfigTree t) {
        String type = t.text("optimizer.type", "AdamW");
        // DeepSpeed spells these several ways and its "Adam" defaults to decoupled decay (adam_w_mode=true).
        String normalized = switch (type.toLowerCase(Locale.ROOT)) {
            case "adamw", "adam" -> "AdamW";
            default -> type;
        };
        float[] betas = t.pair("optimizer.params.betas", 0.9f, 0.95f);
        return new OptimizerConfig(normalized, t.real32("optimizer.params.lr", 1e-3f), betas[0], betas[1],
                t.real32("optimizer.params.eps", 1e-8f), t.real32("optimizer.params.weight_decay", 0.1f));
    }

    private static SchedulerConfig scheduler(ConfigTree t, int steps) {
        String type = t.text("scheduler.type", "WarmupCosineLR");
        if (!SchedulerConfig.TYPES.contains(type)) {
            throw ConfigException.invalid("scheduler.type", "\"" + type + "\"", "one of \"WarmupCosineLR\", \"WarmupLR\", \"constant\"");
        }
        if (t.has("scheduler.params.total_num_steps")) {
            int total = t.integer("scheduler.params.total_num_steps", 0);
            if (total != steps) {
                throw ConfigException.invalid("scheduler.params.total_num_steps", total,
                        "training.steps (" + steps + "), or leave it out: the schedule spans the run");
            }
        }
        rejectUnused(t, type, "scheduler.params.cos_min_ratio", !type.equals("WarmupCosineLR"));
        rejectUnused(t, type, "scheduler.params.warmup_num_steps", type.equals("constant"));
        return switch (type) {
            case "WarmupCosineLR" -> new SchedulerConfig(type, t.integer("scheduler.params.warmup_num_steps", 50),
                    t.real32("scheduler.params.cos_min_ratio", 0.1f));
            case "WarmupLR" -> new SchedulerConfig(type, t.integer("scheduler.params.warmup_num_steps", 50), 1f);
            default -> new SchedulerConfig(type, 0, 1f);
        };
    }

    private static void rejectUnused(ConfigTree t, String type, String key, boolean unused) {
        if (unused && t.has(key)) {
            throw new ConfigException(key, key + " is given but scheduler.type \"" + type
                    + "\" does not use it; expected it only with a scheduler that does, so nothing is silently ignored");
        }
    }

    private static DataConfig data(ConfigTree t) {
        String tokenizer = t.text("data.tokenizer", "bpe");
        int defaultVocab = "bytes".equals(tokenizer) ? DataConfig.BYTE_VOCAB : 4096;
        return new DataConfig(t.text("data.path", null), tokenizer, t.integer("data.vocab_size", defaultVocab),
                t.real32("data.eval_fraction", 0.01f));
    }

    /**
     * {micro, accum, total} with DeepSpeed's rule total = micro * accum * world (world = 1): two given derive
     * the third; one given takes accum = 1 (or, if only accum is given, the default micro batch); all three
     * given must agree, which the {@link TrainConfig} constructor checks with all three values in the message.
     */
    private static int[] batchSizes(ConfigTree t, int world) {
        boolean hasTotal = t.has("train_batch_size");
        boolean hasMicro = t.has("train_micro_batch_size_per_gpu");
        boolean hasAccum = t.has("gradient_accumulation_steps");
        int total = t.integer("train_batch_size", 8);
        int micro = t.integer("train_micro_batch_size_per_gpu", 8);
        int accum = t.integer("gradient_accumulation_steps", 1);
        if (hasTotal) {
            ModelConfig.positive("train_batch_size", total);
        }
        if (hasMicro) {
            ModelConfig.positive("train_micro_batch_size_per_gpu", micro);
        }
        if (hasAccum) {
            ModelConfig.positive("gradient_accumulation_steps", accum);
        }
        if (hasTotal && hasMicro && !hasAccum) {
            accum = divide(total, "train_micro_batch_size_per_gpu", micro, world);
        } else if (hasTotal && hasAccum && !hasMicro) {
            micro = divide(total, "gradient_accumulation_steps", accum, world);
        } else if (hasTotal && !hasMicro) {
            micro = divide(total, "world size", 1, world);
            accum = 1;
        } else if (!hasTotal) {
            long product = (long) micro * accum * world;
            if (product > Integer.MAX_VALUE) {
                throw ConfigException.invalid("train_batch_size", product, "at most " + Integer.MAX_VALUE
                        + " (train_micro_batch_size_per_gpu * gradient_accumulation_steps * world size)");
            }
            total = (int) product;
        }
        return new int[] {micro, accum, total};
    }

    private static int divide(int total, String divisorKey, int divisor, int world) {
        long d = (long) divisor * world;
        if (total % d != 0) {
            throw new ConfigException("train_batch_size", "train_batch_size=" + total + " with " + divisorKey + "="
                    + divisor + " and world size " + world + ": expected train_batch_size to be a multiple of "
                    + divisor + " * " + world + " = " + d + " (train_batch_size = micro batch * accumulation steps * world size)");
        }
        return (int) (total / d);
    }
}
