package io.jspeed.model.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.tensor.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The byte layout of a safetensors file decided from names, dtypes and shapes alone: the header, and where each
 * tensor's data starts. Anyone holding the same list computes the same layout, which lets several ranks write
 * disjoint byte ranges of one file ({@link #create} once, then {@link #writeFloats} from each rank).
 */
public final class SafetensorsLayout {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Entry(DType dtype, long[] shape, long dataOffset, long byteLength) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> tensors = new LinkedHashMap<>();
    private long dataBytes;
    private byte[] header;

    public SafetensorsLayout metadata(String key, String value) {
        metadata.put(key, value);
        header = null;
        return this;
    }

    public SafetensorsLayout add(String name, DType dtype, long[] shape) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor \"" + name + "\" was already added; names must be unique");
        long length = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        tensors.put(name, new Entry(dtype, shape.clone(), dataBytes, length));
        dataBytes += length;
        header = null;
        return this;
    }

    /** The JSON header, padded with spaces so the data section starts 8-byte aligned. */
    public byte[] header() {
        if (header != null) return header;
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            entry.putArray("data_offsets").add(t.dataOffset()).add(t.dataOffset() + t.byteLength());
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
        int padded = (json.length + 7) & ~7;
        header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** Total file length. */
    public long fileBytes() {
        return Long.BYTES + header().length + dataBytes;
    }

    /** Absolute file position of element {@code element} of tensor {@code name}. */
    public long position(String name, long element) {
        Entry e = tensors.get(name);
        if (e == null) throw new IllegalArgumentException("no tensor \"" + name + "\" in this layout");
        return Long.BYTES + header().length + e.dataOffset() + element * e.dtype().byteSize();
    }

    /** Creates (or truncates) file with the header and its full length; the data bytes are then written in place. */
    public void create(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] h = header();
            ByteBuffer b = ByteBuffer.allocate(Long.BYTES + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
            b.flip();
            while (b.hasRemaining()) ch.write(b);
            if (dataBytes > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.write(last, fileBytes() - 1);
            }
        }
    }

    /** Writes count F32 elements of src into tensor name starting at its element {@code element}. */
    public void writeFloats(FileChannel ch, String name, long element, float[] src, int srcOff, int count) throws IOException {
        Entry e = tensors.get(name);
        if (e == null || e.dtype() != DType.F32) throw new IllegalArgumentException("no F32 tensor \"" + name + "\" in this layout");
        if (element < 0 || element + count > e.byteLength() / 4)
            throw new IllegalArgumentException("elements [" + element + ", " + (element + count) + ") outside tensor " + name);
        ByteBuffer buf = ByteBuffer.allocate(Math.min(count, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        long pos = position(name, element);
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, buf.capacity() / 4);
            buf.clear();
            buf.asFloatBuffer().put(src, srcOff + done, n);
            buf.limit(n * 4);
            while (buf.hasRemaining()) pos += ch.write(buf, pos);
            done += n;
        }
    }
}
