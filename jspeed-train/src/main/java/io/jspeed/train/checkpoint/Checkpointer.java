package io.jspeed.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.model.format.TensorInfo;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.train.optim.AdamWOptimizer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Topology-free checkpoints: every parameter by its (Hugging Face) name in model.safetensors, the AdamW moments
 * keyed by the same names in optimizer.safetensors, and trainer.json. A checkpoint directory is written under a
 * temporary name and renamed into place; only then does the run's {@code latest} file point at it, so a crash at
 * any moment leaves the previous checkpoint intact and loadable.
 */
public final class Checkpointer {

    public static final String LATEST = "latest";
    private static final String MODEL = "model.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String TRAINER = "trainer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpointer() {}

    /** Writes checkpoint-NNNNNN (parameters taken from {@code values}, per block) under runDir, points {@code latest} at it and removes older checkpoints. */
    public static Path save(Path runDir, List<ParamBlock> blocks, float[][] values, AdamWOptimizer optimizer, TrainerState state) throws IOException {
        Files.createDirectories(runDir);
        String name = String.format("checkpoint-%06d", state.step());
        Path finalDir = runDir.resolve(name);
        Path tmpDir = runDir.resolve(name + ".tmp");
        deleteTree(tmpDir);
        Files.createDirectories(tmpDir);

        SafetensorsWriter model = new SafetensorsWriter().metadata("format", "pt").metadata("producer", "jspeed");
        SafetensorsWriter moments = new SafetensorsWriter().metadata("producer", "jspeed").metadata("optimizer", "AdamW");
        for (int i = 0; i < blocks.size(); i++) {
            ParamBlock b = blocks.get(i);
            for (ParamView v : b.views()) {
                model.addFloats(v.name(), v.longShape(), values[i], v.offset());
                moments.addFloats("exp_avg." + v.name(), v.longShape(), optimizer.firstMoment(i), v.offset());
                moments.addFloats("exp_avg_sq." + v.name(), v.longShape(), optimizer.secondMoment(i), v.offset());
            }
        }
        model.write(tmpDir.resolve(MODEL));
        moments.write(tmpDir.resolve(OPTIMIZER));
        ObjectNode trainer = JSON.createObjectNode();
        trainer.put("step", state.step());
        trainer.put("optimizer_steps", state.optimizerSteps());
        trainer.put("data_checksum", state.dataChecksum());
        trainer.put("vocab_size", state.vocabSize());
        trainer.set("config", JSON.readTree(state.configJson()));
        AtomicFiles.writeString(tmpDir.resolve(TRAINER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(trainer));

        deleteTree(finalDir);
        Files.move(tmpDir, finalDir, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(runDir);
        AtomicFiles.writeString(runDir.resolve(LATEST), name + "\n");
        removeOlderCheckpoints(runDir, name);
        return finalDir;
    }

    /** The checkpoint directory {@code latest} names inside runDir (or runDir itself if it is a checkpoint). */
    public static Path resolve(Path runOrCheckpoint) throws IOException {
        if (Files.isRegularFile(runOrCheckpoint.resolve(TRAINER))) return runOrCheckpoint;
        Path latest = runOrCheckpoint.resolve(LATEST);
        if (!Files.isRegularFile(latest))
            throw new IOException(runOrCheckpoint + " is not a jspeed run or checkpoint: expected a '" + LATEST
                    + "' file naming a checkpoint directory, or a directory containing " + TRAINER);
        Path dir = runOrCheckpoint.resolve(Files.readString(latest).trim());
        if (!Files.isRegularFile(dir.resolve(TRAINER)))
            throw new IOException(latest + " names " + dir + ", which holds no " + TRAINER);
        return dir;
    }

    public static TrainerState readState(Path checkpointDir) throws IOException {
        Path file = checkpointDir.resolve(TRAINER);
        JsonNode node;
        try {
            node = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        for (String key : List.of("step", "optimizer_steps", "data_checksum", "vocab_size", "config"))
            if (node == null || !node.has(key)) throw new IOException(file + " lacks the key \"" + key + "\"");
        return new TrainerState(node.get("step").asInt(), node.get("optimizer_steps").asInt(), node.get("data_checksum").asLong(),
                node.get("vocab_size").asInt(), JSON.writeValueAsString(node.get("config")));
    }

    /** Loads parameter values by name; every parameter must be present with its shape. */
    public static void loadModel(Path checkpointDir, List<ParamBlock> blocks) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(checkpointDir.resolve(MODEL))) {
            for (ParamBlock b : blocks)
                for (ParamView v : b.views()) copyInto(file, v.name(), v, b.values());
        }
    }

    public static void loadOptimizer(Path checkpointDir, AdamWOptimizer optimizer, int optimizerSteps) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(checkpointDir.resolve(OPTIMIZER))) {
            List<ParamBlock> blocks = optimizer.blocks();
            for (int i = 0; i < blocks.size(); i++) {
                for (ParamView v : blocks.get(i).views()) {
                    copyInto(file, "exp_avg." + v.name(), v, optimizer.firstMoment(i));
                    copyInto(file, "exp_avg_sq." + v.name(), v, optimizer.secondMoment(i));
                }
            }
        }
        optimizer.restore(optimizerSteps);
    }

    private static void copyInto(SafetensorsFile file, String tensor, ParamView view, float[] dst) throws IOException {
        if (!file.contains(tensor))
            throw new IOException(file.path() + " lacks tensor " + tensor + " (expected shape " + Arrays.toString(view.shape()) + ")");
        TensorInfo info = file.info(tensor);
        if (!Arrays.equals(info.shape(), view.longShape()))
            throw new IOException(file.path() + ": tensor " + tensor + " has shape " + Arrays.toString(info.shape())
                    + ", expected " + Arrays.toString(view.shape()));
        float[] data = file.floats(tensor);
        System.arraycopy(data, 0, dst, view.offset(), view.size());
    }

    private static void removeOlderCheckpoints(Path runDir, String keep) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runDir, "checkpoint-*")) {
            for (Path d : dirs) if (!d.getFileName().toString().equals(keep)) deleteTree(d);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open directories for sync; the rename itself is still atomic.
        }
    }
}
