package io.jspeed.infer.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The byte-level pre-tokenizers that both formats can name: llama.cpp's {@code tokenizer.ggml.pre} values and the
 * tokenizer.json {@code pre_tokenizer} (and normalizer) that splits text the same way. llama.cpp recognizes its
 * pre-tokenizers by name and hard-codes their regexes, so only these three translate exactly.
 */
public final class PreTokenizers {

    public static final String GPT2 = "gpt-2", LLAMA3 = "llama-bpe", QWEN2 = "qwen2";

    private static final Map<String, String> REGEXES = Map.of(
            LLAMA3, "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            QWEN2, "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreTokenizers() {}

    /** Whether a tokenizer.ggml.pre name has a tokenizer.json form. */
    public static boolean known(String pre) {
        return pre.equals(GPT2) || REGEXES.containsKey(pre);
    }

    /**
     * llama.cpp's name for a tokenizer.json byte-level pre_tokenizer: GPT-2's ByteLevel with its built-in regex, or a
     * Split by the Llama 3 / Qwen 2 regex followed by ByteLevel without one.
     *
     * @throws IllegalArgumentException naming the pre_tokenizer when it is none of these
     */
    static String ggufName(JsonNode pre, String source) {
        if (pre != null && "ByteLevel".equals(pre.path("type").asText()) && pre.path("use_regex").asBoolean(true)
                && !pre.path("add_prefix_space").asBoolean(true)) return GPT2;
        if (pre != null && "Sequence".equals(pre.path("type").asText()) && pre.path("pretokenizers").size() == 2) {
            JsonNode split = pre.path("pretokenizers").get(0), byteLevel = pre.path("pretokenizers").get(1);
            String regex = split.path("pattern").path("Regex").asText(null);
            boolean shapeOk = "Split".equals(split.path("type").asText()) && "Isolated".equals(split.path("behavior").asText())
                    && !split.path("invert").asBoolean(false) && "ByteLevel".equals(byteLevel.path("type").asText())
                    && !byteLevel.path("use_regex").asBoolean(true) && !byteLevel.path("add_prefix_space").asBoolean(true);
            if (shapeOk) for (var e : REGEXES.entrySet()) if (e.getValue().equals(regex)) return e.getKey();
        }
        throw new IllegalArgumentException(source + ": pre_tokenizer " + (pre == null ? "null" : abbreviated(pre))
                + " has no llama.cpp equivalent; supported: GPT-2's ByteLevel, or Split by the Llama 3 or Qwen 2 regex then ByteLevel");
    }

    /** The tokenizer.json pre_tokenizer for a llama.cpp pre-tokenizer name. */
    static ObjectNode json(String pre) {
        if (pre.equals(GPT2)) return byteLevel(true);
        String regex = REGEXES.get(pre);
        if (regex == null)
            throw new IllegalArgumentException("tokenizer.ggml.pre \"" + pre + "\" has no tokenizer.json equivalent here; supported: "
                    + GPT2 + ", " + LLAMA3 + ", " + QWEN2);
        ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
        ObjectNode split = seq.putArray("pretokenizers").addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", regex);
        split.put("behavior", "Isolated").put("invert", false);
        seq.withArray("pretokenizers").add(byteLevel(false));
        return seq;
    }

    /** Qwen's tokenizer.json NFC-normalizes; llama.cpp does not normalize, which differs only on unnormalized input. */
    static JsonNode normalizer(String pre) {
        return pre.equals(QWEN2) ? JSON.createObjectNode().put("type", "NFC") : JSON.nullNode();
    }

    static ObjectNode byteLevel(boolean useRegex) {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false)
                .put("use_regex", useRegex);
    }

    private static String abbreviated(JsonNode node) {
        String s = node.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
