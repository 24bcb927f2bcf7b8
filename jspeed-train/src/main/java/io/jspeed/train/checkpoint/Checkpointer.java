package io.jspeed.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.SafetensorsLayout;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.TensorInfo;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.DType;
import io.jspeed.train.zero.InitialValues;
import io.jspeed.train.zero.ZeroEngine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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

    /**
     * Writes checkpoint-NNNNNN under runDir, collectively over the engine's group: rank 0 lays out both files,
     * every rank writes the byte ranges of the tensors whose optimizer states it owns (no rank ever holds the whole
     * model), and rank 0 then renames the directory into place, points {@code latest} at it and removes older
     * checkpoints. The files are exactly those of a single-rank run, so any number of ranks can load them.
     */
    public static Path save(Path runDir, List<ParamBlock> blocks, ZeroEngine engine, TrainerState state) throws IOException {
        ProcessGroup group = engine.group();
        String name = String.format("checkpoint-%06d", state.step());
        Path finalDir = runDir.resolve(name);
        Path tmpDir = runDir.resolve(name + ".tmp");
        SafetensorsLayout model = new SafetensorsLayout().metadata("format", "pt").metadata("producer", "jspeed");
        SafetensorsLayout moments = new SafetensorsLayout().metadata("producer", "jspeed").metadata("optimizer", "AdamW");
        for (ParamBlock b : blocks) {
            for (ParamView v : b.views()) {
                model.add(v.name(), DType.F32, v.longShape());
                moments.add("exp_avg." + v.name(), DType.F32, v.longShape());
                moments.add("exp_avg_sq." + v.name(), DType.F32, v.longShape());
            }
        }
        if (group.rank() == 0) {
            Files.createDirectories(runDir);
            deleteTree(tmpDir);
            Files.createDirectories(tmpDir);
            model.create(tmpDir.resolve(MODEL));
            moments.create(tmpDir.resolve(OPTIMIZER));
        }
        group.barrier();
        List<ZeroEngine.OwnedPiece> pieces = engine.piecesToSave();
        if (!pieces.isEmpty()) {
            try (FileChannel m = FileChannel.open(tmpDir.resolve(MODEL), StandardOpenOption.WRITE);
                 FileChannel o = FileChannel.open(tmpDir.resolve(OPTIMIZER), StandardOpenOption.WRITE)) {
                for (ZeroEngine.OwnedPiece p : pieces) {
                    forEachViewPart(p, (v, element, d, len) -> {
                        model.writeFloats(m, v.name(), element, p.master().array(), p.master().offset() + d, len);
                        moments.writeFloats(o, "exp_avg." + v.name(), element, p.exp().array(), p.exp().offset() + d, len);
                        moments.writeFloats(o, "exp_avg_sq." + v.name(), element, p.expSq().array(), p.expSq().offset() + d, len);
                    });
                }
                m.force(true);
                o.force(true);
            }
        }
        group.barrier();
        if (group.rank() == 0) {
            ObjectNode trainer = JSON.createObjectNode();
            trainer.put("step", state.step());
            trainer.put("optimizer_steps", state.optimizerSteps());
            trainer.put("data_checksum", state.dataChecksum());
            trainer.put("vocab_size", state.vocabSize());
            trainer.put("saved_by_ranks", group.size());
            trainer.put("zero_stage", engine.options().stage());
            trainer.set("config", JSON.readTree(state.configJson()));
            AtomicFiles.writeString(tmpDir.resolve(TRAINER), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(trainer));
            fsyncDirectory(tmpDir);
            deleteTree(finalDir);
            Files.move(tmpDir, finalDir, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(runDir);
            AtomicFiles.writeString(runDir.resolve(LATEST), name + "\n");
            removeOlderCheckpoints(runDir, name);
        }
        group.barrier();
        return finalDir;
    }

    /** Part of an owned piece that lies in one view: the view, the element inside it, the offset inside the piece, the length. */
    @FunctionalInterface
    private interface ViewPart {
        void accept(ParamView view, long element, int pieceOffset, int length) throws IOException;
    }

    private static void forEachViewPart(ZeroEngine.OwnedPiece p, ViewPart body) throws IOException {
        int from = p.piece().fullOffset(), to = from + p.piece().length();
        for (ParamView v : p.block().views()) {
            int start = Math.max(from, v.offset()), end = Math.min(to, v.offset() + v.size());
            if (start < end) body.accept(v, start - v.offset(), start - from, end - start);
        }
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

    /** Loads parameter values by name into the blocks' own buffers; every parameter must be present with its shape. */
    public static void loadModel(Path checkpointDir, List<ParamBlock> blocks) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(checkpointDir.resolve(MODEL))) {
            for (ParamBlock b : blocks)
                for (ParamView v : b.views()) copyInto(file, v.name(), v, b.values());
        }
    }

    /** The model file of a checkpoint, opened for {@link #blockValues}. */
    public static SafetensorsFile openModel(Path checkpointDir) throws IOException {
        return SafetensorsFile.open(checkpointDir.resolve(MODEL));
    }

    /** Block i's values from an open model file, as a ZeRO engine builds its replicas or shards. */
    public static InitialValues blockValues(SafetensorsFile file, List<ParamBlock> blocks) {
        return (i, dst) -> {
            for (ParamView v : blocks.get(i).views()) copyInto(file, v.name(), v, dst);
        };
    }

    /** Loads the AdamW moments of the pieces this rank owns, and the update count. */
    public static void loadOptimizer(Path checkpointDir, ZeroEngine engine, int optimizerSteps) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(checkpointDir.resolve(OPTIMIZER))) {
            for (ZeroEngine.OwnedPiece p : engine.ownedPieces()) {
                forEachViewPart(p, (v, element, d, len) -> {
                    readRange(file, "exp_avg." + v.name(), v, element, p.exp().array(), p.exp().offset() + d, len);
                    readRange(file, "exp_avg_sq." + v.name(), v, element, p.expSq().array(), p.expSq().offset() + d, len);
                });
            }
        }
        engine.restoreOptimizerSteps(optimizerSteps);
    }

    private static void readRange(SafetensorsFile file, String tensor, ParamView view, long element, float[] dst, int off, int len) throws IOException {
        checkTensor(file, tensor, view);
        MemorySegment seg = file.segment(tensor);
        MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), element * 4, dst, off, len);
    }

    private static void checkTensor(SafetensorsFile file, String tensor, ParamView view) throws IOException {
        if (!file.contains(tensor))
            throw new IOException(file.path() + " lacks tensor " + tensor + " (expected shape " + Arrays.toString(view.shape()) + ")");
        TensorInfo info = file.info(tensor);
        if (!Arrays.equals(info.shape(), view.longShape()))
            throw new IOException(file.path() + ": tensor " + tensor + " has shape " + Arrays.toString(info.shape())
                    + ", expected " + Arrays.toString(view.shape()));
        if (info.dtype() != DType.F32)
            throw new IOException(file.path() + ": tensor " + tensor + " is " + info.dtype() + ", expected F32");
    }

    private static void copyInto(SafetensorsFile file, String tensor, ParamView view, float[] dst) throws IOException {
        checkTensor(file, tensor, view);
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
