package io.jspeed.model.format.gguf;

import io.jspeed.model.format.FormatException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file in file order, with typed getters. A getter whose key is missing or holds
 * another type throws a {@link FormatException} naming the file, the key, what it holds and what was expected;
 * the {@code opt*} getters return empty for a missing key (and still reject a wrong type).
 */
public final class GgufMetadata {

    private final Path file;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every key and value in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /** The raw value, or empty. */
    public Optional<GgufValue> value(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String string(String key) throws FormatException {
        return (String) scalar(key, "a STRING", GgufValueType.STRING);
    }

    public Optional<String> optString(String key) throws FormatException {
        return contains(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** Any integer type, as a long (UINT64 above Long.MAX_VALUE is rejected). */
    public long integer(String key) throws FormatException {
        GgufValue v = require(key);
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        long value = (Long) v.value();
        if (v.type() == GgufValueType.UINT64 && value < 0) {
            throw new FormatException(file, "metadata \"" + key + "\" is " + Long.toUnsignedString(value)
                    + "; expected at most " + Long.MAX_VALUE);
        }
        return value;
    }

    /** Any integer type whose value fits an int. */
    public int int32(String key) throws FormatException {
        long v = integer(key);
        if (v != (int) v) {
            throw new FormatException(file, "metadata \"" + key + "\" is " + v + "; expected a value that fits a 32-bit int");
        }
        return (int) v;
    }

    public Optional<Integer> optInt32(String key) throws FormatException {
        return contains(key) ? Optional.of(int32(key)) : Optional.empty();
    }

    /** FLOAT32 or FLOAT64 (narrowed). */
    public float float32(String key) throws FormatException {
        GgufValue v = require(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (float) (double) (Double) v.value();
            default -> throw wrongType(key, v, "FLOAT32 or FLOAT64");
        };
    }

    public Optional<Float> optFloat32(String key) throws FormatException {
        return contains(key) ? Optional.of(float32(key)) : Optional.empty();
    }

    public boolean bool(String key) throws FormatException {
        return (Boolean) scalar(key, "a BOOL", GgufValueType.BOOL);
    }

    public Optional<Boolean> optBool(String key) throws FormatException {
        return contains(key) ? Optional.of(bool(key)) : Optional.empty();
    }

    /** An ARRAY of STRING (tokenizer.ggml.tokens, tokenizer.ggml.merges). */
    public String[] strings(String key) throws FormatException {
        return ((String[]) array(key, "an ARRAY of STRING", GgufValueType.STRING)).clone();
    }

    /** An ARRAY of FLOAT32 (tokenizer.ggml.scores). */
    public float[] float32s(String key) throws FormatException {
        return ((float[]) array(key, "an ARRAY of FLOAT32", GgufValueType.FLOAT32)).clone();
    }

    /** An ARRAY of any integer type whose values fit an int (tokenizer.ggml.token_type). */
    public int[] int32s(String key) throws FormatException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY || !v.elementType().isInteger()) {
            throw wrongType(key, v, "an ARRAY of an integer type");
        }
        long[] longs = (long[]) v.value();
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            if (longs[i] != (int) longs[i] || (v.elementType() == GgufValueType.UINT64 && longs[i] < 0)) {
                throw new FormatException(file, "metadata \"" + key + "\" element " + i + " is "
                        + (v.elementType() == GgufValueType.UINT64 ? Long.toUnsignedString(longs[i]) : longs[i])
                        + "; expected values that fit a 32-bit int");
            }
            out[i] = (int) longs[i];
        }
        return out;
    }

    private GgufValue require(String key) throws FormatException {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new FormatException(file, "metadata has no key \"" + key + "\"");
        }
        return v;
    }

    private Object scalar(String key, String expected, GgufValueType type) throws FormatException {
        GgufValue v = require(key);
        if (v.type() != type) {
            throw wrongType(key, v, expected);
        }
        return v.value();
    }

    private Object array(String key, String expected, GgufValueType elementType) throws FormatException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY || v.elementType() != elementType) {
            throw wrongType(key, v, expected);
        }
        return v.value();
    }

    private FormatException wrongType(String key, GgufValue v, String expected) {
        return new FormatException(file, "metadata \"" + key + "\" is " + v + "; expected " + expected);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
