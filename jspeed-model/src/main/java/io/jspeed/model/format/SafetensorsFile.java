package io.jspeed.model.format;

import io.jspeed.tensor.BF16;

import io.jspeed.model.text.EditDistance;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A safetensors file, memory-mapped and read without copying until a caller asks for an array.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON header (tensor name to dtype, shape and
 * data_offsets relative to the byte after the header; optional string map {@code __metadata__}), then the data.
 * {@link #open} validates the whole header before returning, so a corrupt file fails there with a
 * {@link FormatException} rather than later with garbage. The mapping lives until {@link #close}; segments
 * handed out by {@link #segment} become invalid then. Reads are safe from several threads.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers are small JSON; anything larger is a corrupt length field, not a real model. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;
    private final Map<String, TensorInfo> byName;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        this.byName = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Maps {@code file} and validates its header. */
    public static SafetensorsFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new FormatException(file, "file is " + size + " bytes; expected at least 8 (the header length)");
            }
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerBytes = whole.get(LONG_LE, 0);
            if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
                throw new FormatException(file, "header length field is " + Long.toUnsignedString(headerBytes)
                        + "; expected at most " + MAX_HEADER_BYTES + " bytes (is this a safetensors file?)");
            }
            if (headerBytes > size - Long.BYTES) {
                throw new FormatException(file, "header length field is " + headerBytes + " but only "
                        + (size - Long.BYTES) + " bytes follow it; expected the header to fit in the file (truncated?)");
            }
            byte[] json = whole.asSlice(Long.BYTES, headerBytes).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment dataSection = whole.asSlice(Long.BYTES + headerBytes);
            SafetensorsHeader header = SafetensorsHeader.parse(file,
                    new String(json, StandardCharsets.UTF_8), dataSection.byteSize());
            return new SafetensorsFile(file, arena, dataSection, header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** The {@code __metadata__} string map, empty if the file has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Every tensor in header order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * The entry for {@code name}.
     *
     * @throws IllegalArgumentException naming the file, the tensor and the closest names that exist
     */
    public TensorInfo info(String name) {
        TensorInfo info = byName.get(name);
        if (info == null) {
            throw new IllegalArgumentException(path + ": no tensor \"" + name + "\" among " + byName.size()
                    + " tensors; closest names: " + closestNames(name, 5));
        }
        return info;
    }

    /** The raw little-endian bytes of one tensor, a read-only view into the mapping (no copy). */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.byteOffset(), info.byteLength());
    }

    /** The tensor's elements as floats, converting BF16 and F16 exactly; for F32, BF16 and F16 tensors. */
    public float[] floats(String name) {
        TensorInfo info = info(name);
        MemorySegment bytes = segment(name);
        float[] out = new float[arrayLength(info)];
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(bytes, FLOAT_LE, 0, out, 0, out.length);
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = BF16.toFloat(bytes.getAtIndex(SHORT_LE, i));
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(bytes.getAtIndex(SHORT_LE, i));
                }
            }
            default -> throw new IllegalArgumentException(path + ": tensor \"" + name + "\" is " + info.dtype()
                    + "; floats() expects F32, BF16 or F16");
        }
        return out;
    }

    /** The tensor's elements as ints; for I32 tensors, and I64 tensors whose values all fit in an int. */
    public int[] ints(String name) {
        TensorInfo info = info(name);
        MemorySegment bytes = segment(name);
        int[] out = new int[arrayLength(info)];
        switch (info.dtype()) {
            case I32 -> MemorySegment.copy(bytes, INT_LE, 0, out, 0, out.length);
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    long v = bytes.getAtIndex(LONG_LE, i);
                    if (v != (int) v) {
                        throw new IllegalArgumentException(path + ": tensor \"" + name + "\" element " + i + " is " + v
                                + "; ints() expects I64 values within the int range");
                    }
                    out[i] = (int) v;
                }
            }
            default -> throw new IllegalArgumentException(path + ": tensor \"" + name + "\" is " + info.dtype()
                    + "; ints() expects I32 or I64");
        }
        return out;
    }

    /** Unmaps the file; idempotent. Segments from {@link #segment} must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private int arrayLength(TensorInfo info) {
        long count = info.elementCount();
        if (count > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(path + ": tensor \"" + info.name() + "\" has " + count
                    + " elements, more than a Java array holds (" + MAX_ARRAY_LENGTH + "); read it with segment()");
        }
        return (int) count;
    }

    private String closestNames(String name, int limit) {
        record Scored(String name, int distance) {
        }
        return byName.keySet().stream()
                .map(candidate -> new Scored(candidate, EditDistance.between(name, candidate)))
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(limit)
                .map(s -> "\"" + s.name() + "\"")
                .collect(Collectors.joining(", "));
    }
}
