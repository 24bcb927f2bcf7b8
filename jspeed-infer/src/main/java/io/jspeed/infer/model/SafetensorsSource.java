package io.jspeed.infer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tensors of one model.safetensors or of the shards a model.safetensors.index.json names, memory-mapped: matrices
 * are views of the mapping (F32, F16, BF16, or jspeed grouped int8/int4), nothing is copied.
 */
public final class SafetensorsSource implements TensorSource, AutoCloseable {

    private final String description;
    private final Map<String, SafetensorsFile> byTensor = new HashMap<>();
    private final Map<String, SafetensorsFile> files = new LinkedHashMap<>();

    private SafetensorsSource(String description) {
        this.description = description;
    }

    /** model.safetensors, or the shards of model.safetensors.index.json, in {@code dir}; or one .safetensors file. */
    public static SafetensorsSource open(Path dirOrFile) throws IOException {
        if (Files.isRegularFile(dirOrFile)) return single(dirOrFile);
        Path single = dirOrFile.resolve("model.safetensors"), index = dirOrFile.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) return single(single);
        if (!Files.isRegularFile(index))
            throw new IOException(dirOrFile + " has neither model.safetensors nor model.safetensors.index.json");
        SafetensorsSource src = new SafetensorsSource(index.toString());
        try {
            JsonNode map = new ObjectMapper().readTree(Files.readString(index)).path("weight_map");
            if (!map.isObject()) throw new IOException(index + ": missing object \"weight_map\"");
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shard = e.getValue().asText();
                SafetensorsFile f = src.files.get(shard);
                if (f == null) {
                    Path p = dirOrFile.resolve(shard);
                    if (!Files.isRegularFile(p)) throw new IOException(index + " names shard " + shard + ", which does not exist");
                    f = SafetensorsFile.open(p);
                    src.files.put(shard, f);
                }
                src.byTensor.put(e.getKey(), f);
            }
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
        return src;
    }

    private static SafetensorsSource single(Path file) throws IOException {
        SafetensorsSource src = new SafetensorsSource(file.toString());
        SafetensorsFile f = SafetensorsFile.open(file);
        src.files.put(file.toString(), f);
        for (var t : f.tensors()) src.byTensor.put(t.name(), f);
        return src;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    /** The logical shape: a grouped int4 matrix stores two weights a byte, so its U8 columns count double. */
    @Override
    public long[] shape(String name) {
        SafetensorsFile f = file(name);
        long[] stored = f.info(name).shape();
        if (isGrouped(f, name) && f.info(name).dtype() == DType.U8 && stored.length == 2) return new long[] {stored[0], stored[1] * 2};
        return stored;
    }

    /** The values; a grouped int8/int4 matrix is dequantized (GPT-2 transposes its Conv1D weights from floats). */
    @Override
    public float[] floats(String name) throws IOException {
        SafetensorsFile f = file(name);
        if (!isGrouped(f, name)) return f.floats(name);
        WeightMatrix m = WeightFormats.of(f, name);
        float[] out = new float[Math.multiplyExact(m.rows(), m.cols())];
        for (int r = 0; r < m.rows(); r++) m.row(r, out, r * m.cols());
        return out;
    }

    private static boolean isGrouped(SafetensorsFile f, String name) {
        return f.contains(name + WeightFormats.SCALES_SUFFIX) && f.metadata().containsKey(WeightFormats.QUANTIZATION_KEY);
    }

    @Override
    public WeightMatrix matrix(String name) throws IOException {
        return WeightFormats.of(file(name), name);
    }

    @Override
    public WeightMatrix f32(int rows, int cols, float[] data) {
        return OffHeap.f32(rows, cols, data);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) throw new IllegalArgumentException(description + " has no tensor \"" + name + "\"");
        return f;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files.values()) f.close();
    }
}
