package io.jspeed.model.format.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One typed GGUF metadata value. Scalars hold a boxed Java value: every integer type a {@code Long} (UINT64 as
 * its raw 64 bits), FLOAT32 a {@code Float}, FLOAT64 a {@code Double}, BOOL a {@code Boolean}, STRING a
 * {@code String}. An ARRAY has an {@code elementType} and holds a {@code long[]} (integer elements),
 * {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]} or {@code GgufValue[]} (nested arrays).
 * The type is kept so that a file read and written again keeps every key's exact type.
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("an elementType is required for ARRAY and only for ARRAY, got "
                    + type + " of " + elementType);
        }
        Class<?> expected = javaClass(type, elementType);
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + (elementType == null ? "" : " of " + elementType) + " holds a "
                    + expected.getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
        if (type.isInteger()) {
            checkRange(type, (Long) value);
        } else if (type == GgufValueType.ARRAY && elementType.isInteger()) {
            for (long v : (long[]) value) {
                checkRange(elementType, v);
            }
        }
    }

    public static GgufValue uint8(int v) {
        return new GgufValue(GgufValueType.UINT8, null, (long) v);
    }

    public static GgufValue int8(int v) {
        return new GgufValue(GgufValueType.INT8, null, (long) v);
    }

    public static GgufValue uint16(int v) {
        return new GgufValue(GgufValueType.UINT16, null, (long) v);
    }

    public static GgufValue int16(int v) {
        return new GgufValue(GgufValueType.INT16, null, (long) v);
    }

    public static GgufValue uint32(long v) {
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, null, (long) v);
    }

    /** {@code bits} is the unsigned value's 64 bits. */
    public static GgufValue uint64(long bits) {
        return new GgufValue(GgufValueType.UINT64, null, bits);
    }

    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, null, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, null, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, null, v);
    }

    /** An array of an integer type ({@code elementType} UINT8 ... INT64). */
    public static GgufValue integers(GgufValueType elementType, long[] values) {
        return new GgufValue(GgufValueType.ARRAY, elementType, values.clone());
    }

    public static GgufValue int32s(int[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, Arrays.stream(values).asLongStream().toArray());
    }

    public static GgufValue float32s(float[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    public static GgufValue float64s(double[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, values.clone());
    }

    public static GgufValue bools(boolean[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, values.clone());
    }

    public static GgufValue strings(List<String> values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, values.toArray(String[]::new));
    }

    public static GgufValue arrays(List<GgufValue> values) {
        for (GgufValue v : values) {
            if (v.type != GgufValueType.ARRAY) {
                throw new IllegalArgumentException("an array of arrays holds only arrays, got " + v.type);
            }
        }
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, values.toArray(GgufValue[]::new));
    }

    /** Elements of an array value (0 for a scalar). */
    public int length() {
        return type == GgufValueType.ARRAY ? java.lang.reflect.Array.getLength(value) : 0;
    }

    static Class<?> javaClass(GgufValueType type, GgufValueType elementType) {
        return switch (type) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> switch (elementType) {
                case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> long[].class;
                case FLOAT32 -> float[].class;
                case FLOAT64 -> double[].class;
                case BOOL -> boolean[].class;
                case STRING -> String[].class;
                case ARRAY -> GgufValue[].class;
            };
        };
    }

    private static void checkRange(GgufValueType type, long v) {
        long min;
        long max;
        switch (type) {
            case UINT8 -> { min = 0; max = 0xFF; }
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 0xFFFF; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xFFFF_FFFFL; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            default -> { return; }
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is out of range for " + type + "; expected " + min + ".." + max);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue g && type == g.type && elementType == g.elementType
                && Objects.deepEquals(value, g.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        if (type != GgufValueType.ARRAY) {
            return type + " " + (type == GgufValueType.UINT64 ? Long.toUnsignedString((Long) value) : value);
        }
        return "ARRAY of " + length() + " " + elementType;
    }
}
