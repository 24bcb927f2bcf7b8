package io.jspeed.model.format.gguf;

import io.jspeed.model.format.FormatException;
import io.jspeed.model.text.EditDistance;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A GGUF file (version 2 or 3), memory-mapped whole: {@link #open} parses and validates the header, and every
 * tensor's data stays a read-only view into the mapping, so opening a multi-gigabyte model reads only its header.
 * Segments handed out are valid until {@link #close}. Safe to read from several threads.
 */
public final class GgufFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final GgufHeaderParser.Header header;
    private final Map<String, GgufTensor> byName = new LinkedHashMap<>();

    private GgufFile(Path path, Arena arena, GgufHeaderParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.header = header;
        for (GgufTensor t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps {@code file} and validates its header.
     *
     * @throws FormatException naming the file and what is wrong when it is not a well-formed GGUF file
     */
    public static GgufFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(file, arena, GgufHeaderParser.parse(file, whole));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** 2 or 3. */
    public int version() {
        return header.version();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** Every tensor in header order. */
    public List<GgufTensor> tensors() {
        return header.tensors();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /**
     * The tensor called {@code name}.
     *
     * @throws FormatException naming the file, the tensor and the closest names that exist
     */
    public GgufTensor tensor(String name) throws FormatException {
        GgufTensor t = byName.get(name);
        if (t == null) {
            throw new FormatException(path, "no tensor \"" + name + "\" among " + byName.size()
                    + " tensors; closest names: " + closestNames(name));
        }
        return t;
    }

    /**
     * The tensor {@code name} decoded to fp32 in a new array (norms, biases, anything small): F32, F16, BF16, Q8_0,
     * Q4_0, Q4_K or Q6_K. Large matrices are meant to stay in the mapping (jspeed-infer's weight formats).
     *
     * @throws FormatException naming the tensor if it is missing, of another type, or too large for an array
     */
    public float[] floats(String name) throws FormatException {
        GgufTensor t = tensor(name);
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new FormatException(path, "tensor \"" + name + "\" has " + n + " elements, more than an array holds; read it with tensor(name).data()");
        }
        float[] out = new float[(int) n];
        try {
            GgmlQuant.dequantize(t.type(), t.data(), 0, out, 0, out.length);
        } catch (IllegalArgumentException e) {
            throw new FormatException(path, "tensor \"" + name + "\": " + e.getMessage());
        }
        return out;
    }

    /** Alignment of the data section and of every tensor in it (general.alignment, default 32). */
    public int alignment() {
        return header.alignment();
    }

    /** Absolute file offset where the tensor data section starts. */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** Unmaps the file; idempotent. Tensor segments must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private String closestNames(String name) {
        return byName.keySet().stream()
                .sorted(Comparator.comparingInt((String c) -> EditDistance.between(name, c)).thenComparing(c -> c))
                .limit(5).map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
    }
}
