package io.jspeed.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types a tensor can be stored in, with their size in bytes and their name in safetensors headers.
 */
public enum DType {
    F32(4, "F32"),
    F16(2, "F16"),
    BF16(2, "BF16"),
    I32(4, "I32"),
    I64(8, "I64"),
    I8(1, "I8"),
    U8(1, "U8");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    /** Bytes one element occupies. */
    public int byteSize() {
        return byteSize;
    }

    /** The {@code dtype} string a safetensors header uses for this type. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /**
     * The type a safetensors header names.
     *
     * @throws IllegalArgumentException naming the unknown type and the accepted ones
     */
    public static DType fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown safetensors dtype \"" + name + "\"; expected one of "
                + Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", ")));
    }
}
