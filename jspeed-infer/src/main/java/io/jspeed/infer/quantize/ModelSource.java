package io.jspeed.infer.quantize;

import io.jspeed.infer.model.ModelLocation;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.TensorInfo;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;
import io.jspeed.model.format.gguf.GgufTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model a quantization reads: a GGUF file, a safetensors file, a Hugging Face folder of safetensors shards, or a
 * jspeed run / checkpoint (its model.safetensors), all memory-mapped. Tensors are listed in file order (shards in name order).
 */
final class ModelSource implements AutoCloseable {

    private final Path path;
    private final ModelLocation jspeedRun;
    private final GgufFile gguf;
    private final List<SafetensorsFile> shards;
    private final List<SourceTensor> tensors = new ArrayList<>();

    private ModelSource(Path path, ModelLocation jspeedRun, GgufFile gguf, List<SafetensorsFile> shards) {
        this.path = path;
        this.jspeedRun = jspeedRun;
        this.gguf = gguf;
        this.shards = shards;
        if (gguf != null) {
            for (GgufTensor t : gguf.tensors()) {
                tensors.add(SourceTensor.of(t));
            }
        }
        for (SafetensorsFile f : shards) {
            for (TensorInfo info : f.tensors()) {
                tensors.add(SourceTensor.of(info, f.segment(info.name())));
            }
        }
    }

    static ModelSource open(Path in) throws IOException {
        if (Files.isRegularFile(in.resolve("trainer.json")) || Files.isRegularFile(in.resolve("latest"))) {
            // a jspeed run or checkpoint: its model weights only (not the optimizer's moments)
            ModelLocation at = ModelLocation.of(in);
            return new ModelSource(in, at, null, List.of(SafetensorsFile.open(at.path().resolve("model.safetensors"))));
        }
        if (Files.isDirectory(in)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(in)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new FormatException(in, "folder holds no *.safetensors files; expected a Hugging Face model folder");
            }
            List<SafetensorsFile> shards = new ArrayList<>();
            try {
                for (Path f : files) {
                    shards.add(SafetensorsFile.open(f));
                }
            } catch (IOException | RuntimeException e) {
                shards.forEach(SafetensorsFile::close);
                throw e;
            }
            return new ModelSource(in, null, null, shards);
        }
        if (in.getFileName().toString().endsWith(".safetensors")) {
            return new ModelSource(in, null, null, List.of(SafetensorsFile.open(in)));
        }
        return new ModelSource(in, null, GgufFile.open(in), List.of());
    }

    Path path() {
        return path;
    }

    /** For a jspeed run or checkpoint, where it is; else null. */
    ModelLocation jspeedRun() {
        return jspeedRun;
    }

    boolean isGguf() {
        return gguf != null;
    }

    boolean isFolder() {
        return gguf == null && Files.isDirectory(path);
    }

    /** The GGUF metadata; only for a GGUF source. */
    GgufMetadata ggufMetadata() {
        return gguf.metadata();
    }

    /** The safetensors __metadata__ of every shard, merged. */
    Map<String, String> safetensorsMetadata() {
        Map<String, String> merged = new LinkedHashMap<>();
        shards.forEach(s -> merged.putAll(s.metadata()));
        return merged;
    }

    List<SourceTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
        if (gguf != null) {
            gguf.close();
        }
        shards.forEach(SafetensorsFile::close);
    }
}
