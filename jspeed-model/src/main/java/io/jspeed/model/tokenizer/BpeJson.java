package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face tokenizer.json for byte-level BPE, in both directions. Reading accepts only what this tokenizer
 * really implements (GPT-2's ByteLevel pre-tokenizer, no normalizer, no dropout or unknown token) and names the
 * offending key otherwise, rather than silently encoding differently from Hugging Face.
 */
final class BpeJson {

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("version", "truncation", "padding", "added_tokens",
            "normalizer", "pre_tokenizer", "post_processor", "decoder", "model");
    private static final Set<String> MODEL_KEYS = Set.of("type", "dropout", "unk_token", "continuing_subword_prefix",
            "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges", "vocab", "merges");

    private BpeJson() {}

    static String write(byte[][] tokenBytes, MergeTable merges) {
        ObjectNode root = TokenizerJson.MAPPER.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false, true));
        root.putNull("post_processor");
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenBytes.length; id++) vocab.put(ByteLevelAlphabet.encode(tokenBytes[id]), id);
        ArrayNode mergeList = model.putArray("merges");
        for (int rank = 0; rank < merges.size(); rank++) {
            mergeList.add(ByteLevelAlphabet.encode(tokenBytes[merges.left(rank)]) + " "
                    + ByteLevelAlphabet.encode(tokenBytes[merges.right(rank)]));
        }
        try {
            return TokenizerJson.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize tokenizer", e);
        }
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode node = TokenizerJson.MAPPER.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
        return node;
    }

    static BpeTokenizer read(JsonNode root, String source) {
        checkKeys(root, "", TOP_LEVEL_KEYS, source);
        JsonNode model = TokenizerJson.required(root, "model", source);
        checkKeys(model, "model.", MODEL_KEYS, source);
        String type = TokenizerJson.requiredText(root, "model.type", source);
        if (!type.equals("BPE")) {
            throw new IllegalArgumentException(source + ": model.type is \"" + type + "\", expected \"BPE\"");
        }
        requireAbsent(root, "truncation", source);
        requireAbsent(root, "padding", source);
        requireAbsent(root, "normalizer", source);
        requireAbsent(root, "model.dropout", source);
        requireAbsent(root, "model.unk_token", source);
        requireEmptyText(root, "model.continuing_subword_prefix", source);
        requireEmptyText(root, "model.end_of_word_suffix", source);
        requireFalse(root, "model.fuse_unk", source);
        requireFalse(root, "model.byte_fallback", source);
        requireFalse(root, "model.ignore_merges", source);
        requireByteLevel(root, "pre_tokenizer", true, source);
        requireByteLevel(root, "decoder", false, source);
        requireByteLevel(root, "post_processor", false, source);

        Map<String, Integer> vocab = readVocab(TokenizerJson.required(root, "model.vocab", source), source);
        byte[][] tokenBytes = new byte[vocab.size()][];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            byte[] bytes = ByteLevelAlphabet.decode(e.getKey());
            if (bytes == null || bytes.length == 0) {
                throw new IllegalArgumentException(source + ": model.vocab key \"" + e.getKey()
                        + "\" is not a string of GPT-2 byte-level characters");
            }
            tokenBytes[e.getValue()] = bytes;
        }
        checkAddedTokens(root, vocab, source);
        List<int[]> merges = readMerges(TokenizerJson.required(root, "model.merges", source), vocab, source);
        return new BpeTokenizer(tokenBytes, merges, source);
    }

    static Map<String, Integer> readVocab(JsonNode node, String source) {
        if (!node.isObject()) throw new IllegalArgumentException(source + ": model.vocab must be an object");
        Map<String, Integer> vocab = HashMap.newHashMap(node.size());
        boolean[] seen = new boolean[node.size()];
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() >= seen.length
                    || seen[id.intValue()]) {
                throw new IllegalArgumentException(source + ": model.vocab[\"" + e.getKey() + "\"] = " + id
                        + ", expected distinct ids 0.." + (seen.length - 1));
            }
            seen[id.intValue()] = true;
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }

    /** Merges may be written "a b" (classic) or ["a", "b"] (newer files). */
    static List<int[]> readMerges(JsonNode node, Map<String, Integer> vocab, String source) {
        if (!node.isArray()) throw new IllegalArgumentException(source + ": model.merges must be an array");
        List<int[]> merges = new ArrayList<>(node.size());
        for (int rank = 0; rank < node.size(); rank++) {
            JsonNode m = node.get(rank);
            String a = null, b = null;
            if (m.isTextual()) {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length == 2) {
                    a = parts[0];
                    b = parts[1];
                }
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            }
            if (a == null) {
                throw new IllegalArgumentException(source + ": model.merges[" + rank + "] = " + m
                        + ", expected \"left right\" or [\"left\", \"right\"]");
            }
            Integer ia = vocab.get(a), ib = vocab.get(b);
            if (ia == null || ib == null) {
                throw new IllegalArgumentException(source + ": model.merges[" + rank + "] = " + m
                        + " references \"" + (ia == null ? a : b) + "\", which is not in model.vocab");
            }
            merges.add(new int[] {ia, ib});
        }
        return merges;
    }

    /** Added (special) tokens are accepted only when they are ordinary vocab entries, as GPT-2's end-of-text is. */
    private static void checkAddedTokens(JsonNode root, Map<String, Integer> vocab, String source) {
        JsonNode added = TokenizerJson.at(root, "added_tokens");
        if (added == null) return;
        if (!added.isArray()) throw new IllegalArgumentException(source + ": added_tokens must be an array");
        for (int i = 0; i < added.size(); i++) {
            JsonNode t = added.get(i);
            String content = t.path("content").asText(null);
            Integer id = content == null ? null : vocab.get(content);
            if (id == null || !t.path("id").isIntegralNumber() || t.path("id").intValue() != id) {
                throw new IllegalArgumentException(source + ": added_tokens[" + i + "] = " + t
                        + " is not an entry of model.vocab with the same id; separate special tokens are unsupported");
            }
        }
    }

    private static void checkKeys(JsonNode node, String prefix, Set<String> known, String source) {
        if (!node.isObject()) throw new IllegalArgumentException(source + ": \"" + prefix + "\" must be an object");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new IllegalArgumentException(source + ": unsupported key \"" + prefix + key + "\"");
            }
        }
    }

    private static void requireAbsent(JsonNode root, String key, String source) {
        JsonNode node = TokenizerJson.at(root, key);
        if (node != null) {
            throw new IllegalArgumentException(source + ": unsupported " + key + " = " + node + ", expected null");
        }
    }

    private static void requireEmptyText(JsonNode root, String key, String source) {
        JsonNode node = TokenizerJson.at(root, key);
        if (node != null && !(node.isTextual() && node.asText().isEmpty())) {
            throw new IllegalArgumentException(source + ": unsupported " + key + " = " + node + ", expected null");
        }
    }

    private static void requireFalse(JsonNode root, String key, String source) {
        JsonNode node = TokenizerJson.at(root, key);
        if (node != null && !(node.isBoolean() && !node.booleanValue())) {
            throw new IllegalArgumentException(source + ": unsupported " + key + " = " + node + ", expected false");
        }
    }

    /** The GPT-2 ByteLevel component; a pre-tokenizer must also split by the regex and add no prefix space. */
    private static void requireByteLevel(JsonNode root, String key, boolean required, String source) {
        JsonNode node = TokenizerJson.at(root, key);
        if (node == null) {
            if (required) throw new IllegalArgumentException(source + ": missing key \"" + key + "\"");
            return;
        }
        String type = node.path("type").asText("");
        if (!type.equals("ByteLevel")) {
            throw new IllegalArgumentException(source + ": unsupported " + key + ".type \"" + type
                    + "\", expected \"ByteLevel\"");
        }
        if (key.equals("pre_tokenizer")) {
            if (node.path("add_prefix_space").asBoolean(false)) {
                throw new IllegalArgumentException(source + ": unsupported pre_tokenizer.add_prefix_space = true");
            }
            if (!node.path("use_regex").asBoolean(true)) {
                throw new IllegalArgumentException(source + ": unsupported pre_tokenizer.use_regex = false");
            }
        }
    }
}
