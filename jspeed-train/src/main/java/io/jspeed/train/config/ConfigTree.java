package io.jspeed.train.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The parsed JSON document addressed by dotted keys, read with defaults. Types were checked against
 * {@link ConfigKeys} before any read, so the conversions here cannot meet a value of the wrong kind.
 */
final class ConfigTree {

    private final ObjectNode root;

    ConfigTree(ObjectNode root) {
        this.root = root;
    }

    boolean has(String path) {
        return node(path) != null;
    }

    /** True if the value at {@code path} is an explicit JSON null. */
    boolean isNull(String path) {
        JsonNode n = node(path);
        return n != null && n.isNull();
    }

    int integer(String path, int fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : n.decimalValue().intValueExact();
    }

    long int64(String path, long fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : n.decimalValue().longValueExact();
    }

    /** Parsed from the decimal text, so {@code 0.1} becomes exactly {@code 0.1f} (no rounding through double). */
    float real32(String path, float fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : Float.parseFloat(n.decimalValue().toString());
    }

    double real(String path, double fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : Double.parseDouble(n.decimalValue().toString());
    }

    boolean bool(String path, boolean fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : n.booleanValue();
    }

    String text(String path, String fallback) {
        JsonNode n = node(path);
        return n == null ? fallback : n.isNull() ? null : n.textValue();
    }

    float[] pair(String path, float first, float second) {
        JsonNode n = node(path);
        return n == null ? new float[] {first, second} : new float[] {
            Float.parseFloat(n.get(0).decimalValue().toString()), Float.parseFloat(n.get(1).decimalValue().toString())};
    }

    /** Puts {@code value} at {@code path}, creating the sections on the way. */
    void set(String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode section = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = section.get(parts[i]);
            section = child instanceof ObjectNode o ? o : section.putObject(parts[i]);
        }
        section.set(parts[parts.length - 1], value);
    }

    /** The value at {@code path}, or null if absent (an explicit JSON null counts as present). */
    private JsonNode node(String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            n = n.get(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }
}
