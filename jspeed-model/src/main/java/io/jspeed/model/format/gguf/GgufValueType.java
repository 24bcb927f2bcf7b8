package io.jspeed.model.format.gguf;

/** The metadata value types of GGUF, with the id the file stores and the byte size of fixed-size types. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** u64 byte length + UTF-8 bytes. */
    STRING(8, 0),
    /** u32 element type + u64 count + elements. */
    ARRAY(9, 0),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int byteSize;

    GgufValueType(int id, int byteSize) {
        this.id = id;
        this.byteSize = byteSize;
    }

    public int id() {
        return id;
    }

    /** Bytes of a fixed-size value; 0 for STRING and ARRAY. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the eight integer types (stored in Java as long, UINT64 as its raw bits). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** Fewest bytes one value of this type can occupy in a file (a string's length field, an empty array's header). */
    int minBytes() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> byteSize;
        };
    }

    /** The type with id {@code id}, or null. */
    public static GgufValueType fromId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
