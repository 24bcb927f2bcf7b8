package io.jspeed.model.format;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jspeed.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: metadata and tensor entries in file order.
 * Checks everything that can be checked without touching the data: types, shapes, sizes, bounds, overlaps.
 */
record SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors) {

    static final String METADATA_KEY = "__metadata__";

    // The format forbids duplicate names, and a header is one JSON object with only padding after it.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * Parses {@code headerJson} for the file {@code file} whose data section holds {@code dataBytes} bytes.
     */
    static SafetensorsHeader parse(Path file, String headerJson, long dataBytes) throws FormatException {
        JsonNode root;
        try {
            root = JSON.readTree(headerJson);
        } catch (JacksonException e) {
            throw new FormatException(file, "header is not valid JSON (" + e.getOriginalMessage() + " at "
                    + location(e) + "); expected a JSON object mapping tensor names to {dtype, shape, data_offsets}", e);
        }
        if (root == null || !root.isObject()) {
            throw new FormatException(file, "header is " + (root == null ? "empty" : "a JSON " + root.getNodeType())
                    + "; expected a JSON object mapping tensor names to {dtype, shape, data_offsets}");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, field.getKey(), field.getValue(), dataBytes));
            }
        }
        checkNoOverlap(file, tensors);
        return new SafetensorsHeader(Map.copyOf(metadata), List.copyOf(tensors));
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "unknown position"
                : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> into) throws FormatException {
        if (!node.isObject()) {
            throw new FormatException(file, "\"" + METADATA_KEY + "\" is a JSON " + node.getNodeType()
                    + "; expected an object of string values");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new FormatException(file, "\"" + METADATA_KEY + "\"." + e.getKey() + " is a JSON "
                        + e.getValue().getNodeType() + "; expected a string");
            }
            into.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node, long dataBytes) throws FormatException {
        String where = "tensor \"" + name + "\"";
        if (!node.isObject()) {
            throw new FormatException(file, where + " is a JSON " + node.getNodeType()
                    + "; expected an object {dtype, shape, data_offsets}");
        }
        JsonNode dtypeNode = required(file, where, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw new FormatException(file, where + ": dtype is a JSON " + dtypeNode.getNodeType() + "; expected a string");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, where + ": " + e.getMessage(), e);
        }
        long[] shape = longArray(file, where, "shape", required(file, where, node, "shape"), -1);
        for (long d : shape) {
            if (d < 0) {
                throw new FormatException(file, where + ": shape " + java.util.Arrays.toString(shape)
                        + " has a negative dimension; expected dimensions >= 0");
            }
        }
        long[] offsets = longArray(file, where, "data_offsets", required(file, where, node, "data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new FormatException(file, where + ": data_offsets [" + begin + ", " + end
                    + "]; expected 0 <= begin <= end");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new FormatException(file, where + ": shape " + java.util.Arrays.toString(shape)
                    + " overflows a 64-bit byte count");
        }
        if (end - begin != expected) {
            throw new FormatException(file, where + ": data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes; expected " + expected + " (shape " + java.util.Arrays.toString(shape) + " of " + dtype + ")");
        }
        if (end > dataBytes) {
            throw new FormatException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] end beyond the data section of " + dataBytes + " bytes (truncated file?)");
        }
        return new TensorInfo(name, dtype, shape, begin, end - begin);
    }

    private static JsonNode required(Path file, String where, JsonNode node, String key) throws FormatException {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new FormatException(file, where + " has no \"" + key + "\"; expected keys dtype, shape, data_offsets");
        }
        return value;
    }

    /** Reads an array of integers; {@code length} < 0 accepts any length. */
    private static long[] longArray(Path file, String where, String key, JsonNode node, int length)
            throws FormatException {
        String expected = length < 0 ? "an array of integers" : "an array of " + length + " integers";
        if (!node.isArray() || (length >= 0 && node.size() != length)) {
            throw new FormatException(file, where + ": " + key + " is " + node + "; expected " + expected);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new FormatException(file, where + ": " + key + " is " + node + "; expected " + expected);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(Path file, List<TensorInfo> tensors) throws FormatException {
        // Empty tensors occupy no bytes, so they cannot overlap anything.
        List<TensorInfo> byOffset = tensors.stream().filter(t -> t.byteLength() > 0)
                .sorted(Comparator.comparingLong(TensorInfo::byteOffset)).toList();
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.byteOffset() < previous.byteOffset() + previous.byteLength()) {
                throw new FormatException(file, "tensors \"" + previous.name() + "\" [" + previous.byteOffset() + ", "
                        + (previous.byteOffset() + previous.byteLength()) + ") and \"" + current.name() + "\" ["
                        + current.byteOffset() + ", " + (current.byteOffset() + current.byteLength())
                        + ") overlap; expected disjoint byte ranges");
            }
        }
    }
}
