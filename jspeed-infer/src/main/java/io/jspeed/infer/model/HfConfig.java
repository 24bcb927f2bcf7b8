package io.jspeed.infer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.model.Family;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a Hugging Face config.json into an {@link LmConfig}: Llama (incl. Llama 3.1 rope_scaling), Mistral, Qwen2,
 * Qwen3 and GPT-2. The architecture comes from {@code architectures[0]}, else {@code model_type}.
 */
public final class HfConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** architectures[0] or model_type -> family. */
    private static final Map<String, Family> FAMILIES = Map.of(
            "LlamaForCausalLM", Family.LLAMA, "MistralForCausalLM", Family.LLAMA, "Qwen2ForCausalLM", Family.QWEN2,
            "Qwen3ForCausalLM", Family.QWEN3, "GPT2LMHeadModel", Family.GPT2,
            "llama", Family.LLAMA, "mistral", Family.LLAMA, "qwen2", Family.QWEN2, "qwen3", Family.QWEN3, "gpt2", Family.GPT2);

    private HfConfig() {}

    public static LmConfig read(Path configJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new IOException(configJson + ": not readable JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(configJson + ": expected a JSON object");
        return parse(root, configJson.toString());
    }

    public static LmConfig parse(JsonNode root, String source) {
        Keys k = new Keys(root, source);
        String arch = root.path("architectures").path(0).asText(null);
        if (arch == null) arch = root.path("model_type").asText(null);
        Family family = arch == null ? null : FAMILIES.get(arch);
        if (family == null)
            throw new IllegalArgumentException(source + ": unsupported architecture " + (arch == null ? "(no \"architectures\" or \"model_type\")" : "\"" + arch + "\"")
                    + "; supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, GPT2LMHeadModel");
        if (family == Family.GPT2) {
            int c = k.integer("n_embd"), heads = k.integer("n_head");
            int inner = root.path("n_inner").isNumber() ? root.get("n_inner").asInt() : 4 * c;
            return new LmConfig(family, k.integer("vocab_size"), k.integer("n_layer"), heads, heads, c, c / heads, inner,
                    k.integer("n_positions"), (float) k.number("layer_norm_epsilon", 1e-5), 0, RopeScaling.NONE,
                    RopeLayout.ROTATE_HALF, k.bool("tie_word_embeddings", family.tiedHead()));
        }
        int c = k.integer("hidden_size"), heads = k.integer("num_attention_heads");
        int headDim = root.path("head_dim").isNumber() ? root.get("head_dim").asInt() : c / heads;
        return new LmConfig(family, k.integer("vocab_size"), k.integer("num_hidden_layers"), heads,
                root.path("num_key_value_heads").isNumber() ? root.get("num_key_value_heads").asInt() : heads, c, headDim,
                k.integer("intermediate_size"), k.integer("max_position_embeddings"), (float) k.number("rms_norm_eps", 1e-6),
                k.number("rope_theta", 10000), ropeScaling(root.path("rope_scaling"), source), RopeLayout.ROTATE_HALF,
                k.bool("tie_word_embeddings", family.tiedHead()));
    }

    private static RopeScaling ropeScaling(JsonNode node, String source) {
        if (node.isMissingNode() || node.isNull()) return RopeScaling.NONE;
        Keys k = new Keys(node, source + " rope_scaling");
        String type = node.has("rope_type") ? node.get("rope_type").asText() : node.path("type").asText("");
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> RopeScaling.linear(k.number("factor", Double.NaN));
            case "llama3" -> RopeScaling.llama3(k.number("factor", Double.NaN), k.number("low_freq_factor", Double.NaN),
                    k.number("high_freq_factor", Double.NaN), k.integer("original_max_position_embeddings"));
            default -> throw new IllegalArgumentException(source + ": rope_scaling type \"" + type
                    + "\" is not supported; expected \"llama3\", \"linear\" or \"default\"");
        };
    }

    /** Typed reads whose errors name the file and the key. */
    private record Keys(JsonNode root, String source) {
        int integer(String key) {
            JsonNode n = root.get(key);
            if (n == null || !n.canConvertToInt()) throw new IllegalArgumentException(source + ": missing integer key \"" + key + "\"");
            return n.asInt();
        }

        double number(String key, double fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                if (Double.isNaN(fallback)) throw new IllegalArgumentException(source + ": missing number key \"" + key + "\"");
                return fallback;
            }
            if (!n.isNumber()) throw new IllegalArgumentException(source + ": key \"" + key + "\" must be a number, got " + n);
            return n.asDouble();
        }

        boolean bool(String key, boolean fallback) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? fallback : n.asBoolean();
        }
    }
}
