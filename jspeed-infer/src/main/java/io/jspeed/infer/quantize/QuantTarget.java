package io.jspeed.infer.quantize;

import io.jspeed.model.format.gguf.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@code jspeed quantize --to} produces: ggml blocks in a GGUF file, or grouped int8/int4 in safetensors. */
public enum QuantTarget {
    Q8_0(GgmlType.Q8_0, 0),
    Q4_0(GgmlType.Q4_0, 0),
    INT8(null, 8),
    INT4(null, 4);

    private final GgmlType ggmlType;
    private final int bits;

    QuantTarget(GgmlType ggmlType, int bits) {
        this.ggmlType = ggmlType;
        this.bits = bits;
    }

    /** The ggml type of a GGUF target; null for the safetensors targets. */
    public GgmlType ggmlType() {
        return ggmlType;
    }

    /** 8 or 4 for the grouped targets. */
    public int bits() {
        return bits;
    }

    public boolean writesGguf() {
        return ggmlType != null;
    }

    /** Accepts q8_0, q4_0, int8, int4 in any case. */
    public static QuantTarget parse(String name) {
        for (QuantTarget t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown quantization \"" + name + "\"; expected one of "
                + Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
