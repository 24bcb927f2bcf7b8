package io.jspeed.infer.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model path leads, decided once for every reader (loading, converting, quantizing): a GGUF file, a Hugging
 * Face folder (config.json + safetensors), or a jspeed checkpoint (trainer.json + model.safetensors) with the run
 * directory that holds its tokenizer.json.
 *
 * @param path   the GGUF file, the Hugging Face folder, or the checkpoint directory
 * @param runDir for a jspeed checkpoint, the run directory (where tokenizer.json lives); else null
 */
public record ModelLocation(Kind kind, Path path, Path runDir) {

    public enum Kind { GGUF, HUGGING_FACE, JSPEED }

    public static ModelLocation of(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            if (isGguf(path)) return new ModelLocation(Kind.GGUF, path, null);
            if (path.toString().endsWith(".safetensors") && Files.isRegularFile(path.resolveSibling("config.json")))
                return new ModelLocation(Kind.HUGGING_FACE, path.toAbsolutePath().getParent(), null);
            throw new IOException(path + " is neither a GGUF file nor a model directory");
        }
        if (!Files.isDirectory(path)) throw new IOException(path + " does not exist");
        if (Files.isRegularFile(path.resolve("trainer.json"))) return new ModelLocation(Kind.JSPEED, path, path.toAbsolutePath().getParent());
        Path latest = path.resolve("latest");
        if (Files.isRegularFile(latest)) {
            Path ckpt = path.resolve(Files.readString(latest).trim());
            if (!Files.isRegularFile(ckpt.resolve("trainer.json"))) throw new IOException(latest + " names " + ckpt + ", which holds no trainer.json");
            return new ModelLocation(Kind.JSPEED, ckpt, path);
        }
        if (Files.isRegularFile(path.resolve("config.json"))) return new ModelLocation(Kind.HUGGING_FACE, path, null);
        throw new IOException(path + " is not a model: expected a .gguf file, a Hugging Face folder (config.json + model.safetensors) "
                + "or a jspeed run directory (latest + checkpoint-*)");
    }

    /** A jspeed run's tokenizer.json: the run directory's, else one beside the checkpoint's files. */
    public Path jspeedTokenizer() {
        Path inRun = runDir.resolve("tokenizer.json");
        return Files.isRegularFile(inRun) ? inRun : path.resolve("tokenizer.json");
    }

    private static boolean isGguf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        }
    }
}
