package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/** Field access for the components of a Hugging Face tokenizer.json, with errors naming source and dotted key. */
final class HfJson {

    private HfJson() {}

    static String type(JsonNode node, String key, String source) {
        return text(node, "type", key, source);
    }

    static String text(JsonNode node, String field, String key, String source) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(source + ": " + key + "." + field + " must be a string, got " + v);
        }
        return v.asText();
    }

    static JsonNode array(JsonNode node, String field, String key, String source) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException(source + ": " + key + "." + field + " must be an array, got " + v);
        }
        return v;
    }

    static boolean bool(JsonNode node, String field, boolean absent) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? absent : v.asBoolean();
    }

    static int integer(JsonNode node, String field, int absent) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? absent : v.asInt();
    }

    static IllegalArgumentException unsupported(String key, String type, String source) {
        return new IllegalArgumentException(source + ": unsupported " + key + ".type \"" + type + "\"");
    }
}
