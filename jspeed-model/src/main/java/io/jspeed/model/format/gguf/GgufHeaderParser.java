package io.jspeed.model.format.gguf;

import io.jspeed.model.format.FormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a GGUF header from a mapped file: magic, version, metadata, tensor infos, alignment and
 * the placement of every tensor's data. Every read is bounds-checked against the file, and every count is checked
 * against the bytes left (and a budget) before anything is allocated, so a hostile header fails with one
 * {@link FormatException} instead of reading past the end or exhausting memory.
 */
final class GgufHeaderParser {

    static final int MAGIC = 0x46554747;            // "GGUF" read little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Strings longer than this are a corrupt length, not a real key or token. */
    static final long MAX_STRING_BYTES = 1L << 26;
    /** Array elements across the whole header; real tokenizers hold well under a million of each kind. */
    static final long MAX_ARRAY_ELEMENTS = 1L << 25;
    private static final int MAX_NESTING = 8;
    /** Keys and tensors a header may declare; real models have a few dozen keys and a few thousand tensors. */
    static final long MAX_ENTRIES = 1L << 20;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What the header says, validated. */
    record Header(int version, GgufMetadata metadata, List<GgufTensor> tensors, int alignment, long dataOffset) {
    }

    private final Path file;
    private final MemorySegment bytes;
    private long pos;
    private long arrayElementsLeft = MAX_ARRAY_ELEMENTS;
    /** One strict decoder for every string: a vocabulary has 10^5 of them. */
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private GgufHeaderParser(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    static Header parse(Path file, MemorySegment bytes) throws FormatException {
        return new GgufHeaderParser(file, bytes).header();
    }

    private Header header() throws FormatException {
        long size = bytes.byteSize();
        if (size < 4) {
            throw fail("file is " + size + " bytes; expected at least the 4-byte magic \"GGUF\"");
        }
        int magic = bytes.get(INT_LE, 0);
        if (magic != MAGIC) {
            throw fail(describeMagic(bytes));
        }
        pos = 4;
        int version = u32("version");
        if (version != 2 && version != 3) {
            if ((version & 0xFFFF) == 0 && (version >>> 24 == 2 || version >>> 24 == 3)) {
                throw fail("version field reads " + Integer.toUnsignedString(version)
                        + ": a big-endian GGUF; expected a little-endian file");
            }
            throw fail("GGUF version " + Integer.toUnsignedString(version) + "; expected version 2 or 3");
        }
        long tensorCount = u64("tensor count");
        long kvCount = u64("metadata count");
        // the smallest key/value is 13 bytes (empty key, type, one byte); the smallest tensor info 24
        checkCount(kvCount, 13, "metadata count");
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string("metadata key #" + i);
            long typeId = u32("type of metadata \"" + key + "\"") & 0xFFFF_FFFFL;
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) {
                throw fail("metadata \"" + key + "\" has value type " + typeId + "; expected 0..12");
            }
            GgufValue value = value(key, type, 0);
            if (kv.putIfAbsent(key, value) != null) {
                throw fail("metadata key \"" + key + "\" appears twice; expected unique keys");
            }
        }
        GgufMetadata metadata = new GgufMetadata(file, kv);
        int alignment = alignment(kv.get(ALIGNMENT_KEY));

        checkCount(tensorCount, 24, "tensor count");
        record Info(String name, GgmlType type, long[] dims, long offset, long byteSize) {
        }
        List<Info> infos = new ArrayList<>((int) Math.min(tensorCount, 1024));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string("name of tensor #" + i);
            String where = "tensor \"" + name + "\"";
            if (!names.add(name)) {
                throw fail(where + " appears twice; expected unique tensor names");
            }
            int nDims = u32("dimension count of " + where);
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw fail(where + " has " + Integer.toUnsignedString(nDims) + " dimensions; expected 0.." + MAX_DIMS);
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = u64("dimension " + d + " of " + where);
                if (dims[d] < 0) {
                    throw fail(where + " dimension " + d + " is " + Long.toUnsignedString(dims[d]) + "; expected a size below 2^63");
                }
                try {
                    elements = Math.multiplyExact(elements, dims[d]);
                } catch (ArithmeticException e) {
                    throw fail(where + " dims " + Arrays.toString(dims) + " overflow a 64-bit element count");
                }
            }
            long typeId = u32("type of " + where) & 0xFFFF_FFFFL;
            GgmlType type = GgmlType.fromId(typeId);
            if (type == null) {
                throw fail(where + " has tensor type " + typeId + ", which ggml does not define; expected one of "
                        + Arrays.toString(GgmlType.values()));
            }
            if (nDims == 0 && type.isQuantized()) {
                throw fail(where + " is a scalar of " + type + "; expected at least one dimension for a block type");
            }
            if (nDims > 0 && dims[0] % type.blockSize() != 0) {
                throw fail(where + " of " + type + " has " + dims[0] + " elements per row (ne[0]); expected a multiple of the block size "
                        + type.blockSize());
            }
            long offset = u64("data offset of " + where);
            if (offset < 0 || offset % alignment != 0) {
                throw fail(where + " data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
            }
            long byteSize;
            try {
                byteSize = type.byteSize(elements);
            } catch (ArithmeticException e) {
                throw fail(where + " dims " + Arrays.toString(dims) + " of " + type + " overflow a 64-bit byte count");
            }
            infos.add(new Info(name, type, dims, offset, byteSize));
        }
        long dataOffset = alignUp(pos, alignment);
        long dataBytes = bytes.byteSize() - Math.min(dataOffset, bytes.byteSize());
        for (Info info : infos) {
            if (info.offset > dataBytes || info.byteSize > dataBytes - info.offset) {
                throw fail("tensor \"" + info.name + "\" (" + info.type + " " + Arrays.toString(info.dims) + ", " + info.byteSize
                        + " bytes at data offset " + info.offset + ") ends beyond the file's " + dataBytes
                        + " data bytes (truncated file?)");
            }
        }
        List<Info> byOffset = infos.stream().filter(t -> t.byteSize > 0).sorted(Comparator.comparingLong(Info::offset)).toList();
        for (int i = 1; i < byOffset.size(); i++) {
            Info a = byOffset.get(i - 1);
            Info b = byOffset.get(i);
            if (b.offset < a.offset + a.byteSize) {
                throw fail("tensors \"" + a.name + "\" [" + a.offset + ", " + (a.offset + a.byteSize) + ") and \"" + b.name + "\" ["
                        + b.offset + ", " + (b.offset + b.byteSize) + ") overlap; expected disjoint data");
            }
        }
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (Info info : infos) {
            long at = dataOffset + info.offset;
            tensors.add(new GgufTensor(info.name, info.type, info.dims, at, bytes.asSlice(at, info.byteSize).asReadOnly()));
        }
        return new Header(version, metadata, List.copyOf(tensors), alignment, dataOffset);
    }

    private int alignment(GgufValue value) throws FormatException {
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (value.type() != GgufValueType.UINT32) {
            throw fail("metadata \"" + ALIGNMENT_KEY + "\" is " + value + "; expected a UINT32");
        }
        long a = (Long) value.value();
        if (a == 0 || Long.bitCount(a) != 1 || a > (1 << 30)) {
            throw fail("metadata \"" + ALIGNMENT_KEY + "\" is " + a + "; expected a power of two");
        }
        return (int) a;
    }

    private GgufValue value(String key, GgufValueType type, int depth) throws FormatException {
        String what = "metadata \"" + key + "\"";
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, (long) (u8(what) & 0xFF));
            case INT8 -> new GgufValue(type, null, (long) u8(what));
            case UINT16 -> new GgufValue(type, null, (long) (u16(what) & 0xFFFF));
            case INT16 -> new GgufValue(type, null, (long) u16(what));
            case UINT32 -> new GgufValue(type, null, u32(what) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue(type, null, (long) u32(what));
            case UINT64, INT64 -> new GgufValue(type, null, u64(what));
            case FLOAT32 -> {
                need(4, what);
                float f = bytes.get(FLOAT_LE, pos);
                pos += 4;
                yield new GgufValue(type, null, f);
            }
            case FLOAT64 -> {
                need(8, what);
                double d = bytes.get(DOUBLE_LE, pos);
                pos += 8;
                yield new GgufValue(type, null, d);
            }
            case BOOL -> new GgufValue(type, null, bool(what));
            case STRING -> new GgufValue(type, null, string(what));
            case ARRAY -> array(key, depth);
        };
    }

    private GgufValue array(String key, int depth) throws FormatException {
        String what = "metadata \"" + key + "\"";
        if (depth >= MAX_NESTING) {
            throw fail(what + " nests arrays more than " + MAX_NESTING + " deep");
        }
        long typeId = u32("element type of " + what) & 0xFFFF_FFFFL;
        GgufValueType elem = GgufValueType.fromId(typeId);
        if (elem == null) {
            throw fail(what + " is an array of value type " + typeId + "; expected 0..12");
        }
        long count = u64("length of " + what);
        long left = bytes.byteSize() - pos;
        if (count < 0 || count > left / elem.minBytes()) {
            throw fail(what + " claims " + Long.toUnsignedString(count) + " " + elem + " elements but only " + left
                    + " bytes follow (truncated or corrupt header)");
        }
        if (count > arrayElementsLeft) {
            throw fail(what + " has " + count + " elements; this reader accepts at most " + MAX_ARRAY_ELEMENTS
                    + " array elements in a header");
        }
        arrayElementsLeft -= count;
        int n = (int) count;
        Object values = switch (elem) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                // the count check above guarantees n * size bytes follow
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = switch (elem) {
                        case UINT8 -> bytes.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
                        case INT8 -> bytes.get(ValueLayout.JAVA_BYTE, pos);
                        case UINT16 -> bytes.get(SHORT_LE, pos) & 0xFFFF;
                        case INT16 -> bytes.get(SHORT_LE, pos);
                        case UINT32 -> bytes.get(INT_LE, pos) & 0xFFFF_FFFFL;
                        case INT32 -> bytes.get(INT_LE, pos);
                        default -> bytes.get(LONG_LE, pos);
                    };
                    pos += elem.byteSize();
                }
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                MemorySegment.copy(bytes, FLOAT_LE, pos, a, 0, n);
                pos += 4L * n;
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                MemorySegment.copy(bytes, DOUBLE_LE, pos, a, 0, n);
                pos += 8L * n;
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = bool(what);
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = string(what, i);
                }
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[n];
                for (int i = 0; i < n; i++) {
                    a[i] = array(key, depth + 1);
                }
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, elem, values);
    }

    private boolean bool(String what) throws FormatException {
        byte b = u8(what);
        if (b != 0 && b != 1) {
            throw fail(what + " is a BOOL of value " + (b & 0xFF) + "; expected 0 or 1");
        }
        return b == 1;
    }

    private String string(String what) throws FormatException {
        return string(what, -1);
    }

    /** A string; {@code element} >= 0 names it as that element of {@code what} (messages are built only on failure). */
    private String string(String what, long element) throws FormatException {
        if (bytes.byteSize() - pos < 8) {
            what = element < 0 ? what : what + " element " + element;
            need(8, "length of " + what);
        }
        long length = bytes.get(LONG_LE, pos);
        pos += 8;
        long left = bytes.byteSize() - pos;
        if (length < 0 || length > left || length > MAX_STRING_BYTES) {
            what = element < 0 ? what : what + " element " + element;
        }
        if (length < 0 || length > left) {
            throw fail(what + " is a string of " + Long.toUnsignedString(length) + " bytes but only " + left
                    + " bytes follow (truncated or corrupt header)");
        }
        if (length > MAX_STRING_BYTES) {
            throw fail(what + " is a string of " + length + " bytes; expected at most " + MAX_STRING_BYTES);
        }
        byte[] utf8 = bytes.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        try {
            return this.utf8.reset().decode(java.nio.ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + (element < 0 ? "" : " element " + element) + " is not valid UTF-8; expected a UTF-8 string");
        }
    }

    private byte u8(String what) throws FormatException {
        need(1, what);
        return bytes.get(ValueLayout.JAVA_BYTE, pos++);
    }

    private short u16(String what) throws FormatException {
        need(2, what);
        short v = bytes.get(SHORT_LE, pos);
        pos += 2;
        return v;
    }

    private int u32(String what) throws FormatException {
        need(4, what);
        int v = bytes.get(INT_LE, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) throws FormatException {
        need(8, what);
        long v = bytes.get(LONG_LE, pos);
        pos += 8;
        return v;
    }

    private void need(long n, String what) throws FormatException {
        if (bytes.byteSize() - pos < n) {
            throw fail("file ends at byte " + bytes.byteSize() + " while reading " + what + " at byte " + pos
                    + "; expected " + n + " more bytes (truncated file?)");
        }
    }

    private void checkCount(long count, int minBytesEach, String what) throws FormatException {
        long left = bytes.byteSize() - pos;
        if (count < 0 || count > left / minBytesEach) {
            throw fail(what + " is " + Long.toUnsignedString(count) + " but only " + left
                    + " bytes follow; expected a count whose entries fit in the file (truncated or corrupt header)");
        }
        if (count > MAX_ENTRIES) {
            throw fail(what + " is " + count + "; this reader accepts at most " + MAX_ENTRIES);
        }
    }

    private static long alignUp(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static String describeMagic(MemorySegment bytes) {
        byte[] b = bytes.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE);
        if (b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) {
            return "is a zip archive (starts with \"PK\\3\\4\"), not a GGUF file; expected the magic \"GGUF\"";
        }
        StringBuilder shown = new StringBuilder();
        for (byte x : b) {
            shown.append(x >= 0x20 && x < 0x7F ? String.valueOf((char) x) : String.format("\\x%02X", x & 0xFF));
        }
        // safetensors: an 8-byte little-endian JSON length, then the JSON object
        boolean safetensors = bytes.byteSize() > 8 && bytes.get(ValueLayout.JAVA_BYTE, 8) == '{';
        String hint = safetensors ? " (a safetensors file?)" : "";
        return "starts with \"" + shown + "\"" + hint + "; expected the GGUF magic \"GGUF\"";
    }

    private FormatException fail(String problem) {
        return new FormatException(file, problem);
    }
}
