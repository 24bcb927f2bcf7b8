package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Parsing helpers whose errors name the source and the dotted key that was wrong. */
final class TokenizerJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJson() {}

    static JsonNode parse(String json, String source) {
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), source);
    }

    /** Parses UTF-8 bytes directly: a real model's tokenizer.json is tens of MB, not worth a String copy. */
    static JsonNode parse(byte[] json, String source) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(source + ": expected a JSON object at the top level");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // reading a byte array does no I/O
        }
    }

    /** The node at a dotted path such as {@code model.vocab}, or null if any part is absent or JSON null. */
    static JsonNode at(JsonNode root, String dottedKey) {
        JsonNode node = root;
        for (String part : dottedKey.split("\\.")) {
            node = node.get(part);
            if (node == null || node.isNull()) return null;
        }
        return node;
    }

    static JsonNode required(JsonNode root, String dottedKey, String source) {
        JsonNode node = at(root, dottedKey);
        if (node == null) throw new IllegalArgumentException(source + ": missing key \"" + dottedKey + "\"");
        return node;
    }

    static String requiredText(JsonNode root, String dottedKey, String source) {
        JsonNode node = required(root, dottedKey, source);
        if (!node.isTextual()) {
            throw new IllegalArgumentException(source + ": key \"" + dottedKey + "\" must be a string, got " + node);
        }
        return node.asText();
    }
}
