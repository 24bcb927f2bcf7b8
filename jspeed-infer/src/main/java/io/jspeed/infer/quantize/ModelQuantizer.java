package io.jspeed.infer.quantize;

import io.jspeed.infer.convert.HfFolder;
import io.jspeed.infer.convert.ModelConverter;
import io.jspeed.infer.convert.SourceVocabulary;
import io.jspeed.infer.model.HfConfig;
import io.jspeed.infer.model.JspeedRunConfig;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.ModelLocation;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.infer.weights.GroupwiseQuantizer;
import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufTensor;
import io.jspeed.model.format.gguf.GgufValue;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.tensor.DType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Quantizes a model file: 2-D weight matrices go to the target format, everything else (norms, biases, and
 * embeddings unless {@code all}) keeps its stored precision. Tensors stream through one row at a time, so memory
 * stays at a row plus the group scales of one tensor whatever the model size.
 *
 * <ul>
 * <li>{@code q8_0}, {@code q4_0}: a GGUF file. From a GGUF source every metadata key is kept (plus
 *     general.file_type and general.quantization_version), so what llama.cpp loaded before it loads after. A model
 *     folder (a jspeed run, a Hugging Face folder jspeed can load) goes through {@link ModelConverter}: llama.cpp's
 *     names, metadata and tokenizer. A bare safetensors file keeps its tensor names.
 * <li>{@code int8}, {@code int4}: a safetensors file in jspeed's grouped layout (docs/formats.md). A Hugging Face
 *     folder in gives a folder out: model.safetensors plus the folder's other files (config, tokenizer).
 * </ul>
 */
public final class ModelQuantizer {

    /** llama.cpp's LLAMA_FTYPE_MOSTLY_Q8_0 and _Q4_0, recorded as general.file_type. */
    private static final int FTYPE_Q8_0 = 7;
    private static final int FTYPE_Q4_0 = 2;
    private static final int GGML_QUANTIZATION_VERSION = 2;

    /** How to quantize. {@code group} and {@code f16Scales} apply to int8/int4 only. */
    public record Options(QuantTarget target, int group, boolean all, boolean f16Scales) {
    }

    /** What happened to one tensor. */
    public record Entry(String name, long[] shape, String from, String to, boolean quantized) {
    }

    /** The file written, what became of each tensor, and notes for the user (files that could not be written). */
    public record Report(Path output, long bytes, List<Entry> entries, List<String> notes) {

        public long quantizedCount() {
            return entries.stream().filter(Entry::quantized).count();
        }
    }

    private ModelQuantizer() {
    }

    public static Report quantize(Path in, Path out, Options options) throws IOException {
        if (options.target().writesGguf() && isModelFolder(in)) {
            return viaConverter(in, out, options);
        }
        GroupwiseQuantizer grouped = options.target().writesGguf() ? null
                : new GroupwiseQuantizer(options.target().bits(), options.group(), options.f16Scales());
        try (ModelSource source = ModelSource.open(in)) {
            List<Entry> entries = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            Path file;
            if (options.target().writesGguf()) {
                file = out;
                writeGguf(source, out, options, entries);
            } else {
                file = source.isFolder() ? out.resolve("model.safetensors") : out;
                if (source.isFolder()) {
                    Files.createDirectories(out);
                }
                writeSafetensors(source, file, options, grouped, entries);
                if (source.jspeedRun() != null) {
                    notes.addAll(jspeedCompanions(source.jspeedRun(), out));
                } else if (source.isFolder()) {
                    copyCompanions(source.path(), out);
                }
            }
            return new Report(file, Files.size(file), List.copyOf(entries), List.copyOf(notes));
        }
    }

    /** A jspeed run, or a Hugging Face folder whose config.json jspeed can load: something convert can write as GGUF. */
    private static boolean isModelFolder(Path in) throws IOException {
        if (!Files.isDirectory(in)) {
            return false;
        }
        ModelLocation at;
        try {
            at = ModelLocation.of(in);
        } catch (IOException e) {
            return false;
        }
        if (at.kind() == ModelLocation.Kind.JSPEED) {
            return true;
        }
        try {
            HfConfig.read(at.path().resolve("config.json"));
            return true;
        } catch (IllegalArgumentException | IOException e) {
            return false;
        }
    }

    /**
     * A model folder to Q8_0/Q4_0 GGUF is a conversion: llama.cpp's names, metadata and tokenizer, so the file loads
     * there and in jspeed (quantizing safetensors names as they are would give a GGUF neither can run).
     */
    private static Report viaConverter(Path in, Path out, Options options) throws IOException {
        ModelConverter.Report r = ModelConverter.toGguf(in, out, options.target().ggmlType(), options.all());
        List<Entry> entries = new ArrayList<>();
        try (GgufFile f = GgufFile.open(out)) {
            for (GgufTensor t : f.tensors()) {
                entries.add(new Entry(t.name(), t.shape(), "model", t.type().name(), t.type() == options.target().ggmlType()));
            }
        }
        return new Report(out, r.bytes(), List.copyOf(entries), r.notes());
    }

    /** Whether a tensor becomes a quantized matrix: 2-D, decodable, whole blocks/groups, not an embedding unless all. */
    static boolean quantizes(SourceTensor t, Options options) {
        if (!t.isMatrix() || !t.decodable() || t.cols() > Integer.MAX_VALUE / 4) {
            return false;
        }
        if (!options.all() && isEmbedding(t.name())) {
            return false;
        }
        int block = options.target().writesGguf() ? options.target().ggmlType().blockSize() : options.group();
        return t.cols() % block == 0 && (options.target().writesGguf() || t.cols() % 2 == 0);
    }

    /** Token and position embeddings by the names GGUF, Hugging Face and GPT-2 checkpoints use. */
    static boolean isEmbedding(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("embd") || n.contains("embed") || n.startsWith("wte") || n.startsWith("wpe")
                || n.contains(".wte.") || n.contains(".wpe.");
    }

    private static void writeGguf(ModelSource source, Path out, Options options, List<Entry> entries) throws IOException {
        GgmlType target = options.target().ggmlType();
        GgufWriter writer = new GgufWriter();
        if (source.isGguf()) {
            writer.putAll(source.ggufMetadata());
            writer.put("general.file_type", GgufValue.uint32(target == GgmlType.Q8_0 ? FTYPE_Q8_0 : FTYPE_Q4_0));
            writer.put("general.quantization_version", GgufValue.uint32(GGML_QUANTIZATION_VERSION));
        } else {
            source.safetensorsMetadata().forEach(writer::putString);
        }
        for (SourceTensor t : source.tensors()) {
            if (quantizes(t, options)) {
                writer.addRows(t.name(), target, t.shape(), t::row);
                entries.add(new Entry(t.name(), t.shape(), t.typeName(), target.name(), true));
            } else {
                GgmlType kept = t.ggmlType() != null ? t.ggmlType() : ggmlTypeOf(source, t);
                writer.addRaw(t.name(), kept, t.shape(), t.bytes());
                entries.add(new Entry(t.name(), t.shape(), t.typeName(), kept.name(), false));
            }
        }
        writer.write(out);
    }

    private static GgmlType ggmlTypeOf(ModelSource source, SourceTensor t) throws FormatException {
        return switch (t.dtype()) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            case I8 -> GgmlType.I8;
            case I32 -> GgmlType.I32;
            case I64 -> GgmlType.I64;
            default -> throw new FormatException(source.path(), "tensor \"" + t.name() + "\" is " + t.dtype()
                    + ", which GGUF cannot store; expected F32, F16, BF16, I8, I32 or I64");
        };
    }

    private static void writeSafetensors(ModelSource source, Path out, Options options, GroupwiseQuantizer grouped,
            List<Entry> entries) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        if (!source.isGguf()) {
            source.safetensorsMetadata().forEach(writer::metadata);
        }
        writer.metadata(WeightFormats.QUANTIZATION_KEY, options.target().name().toLowerCase(Locale.ROOT));
        writer.metadata(WeightFormats.GROUP_KEY, Integer.toString(options.group()));
        for (SourceTensor t : source.tensors()) {
            if (quantizes(t, options)) {
                addGrouped(writer, t, grouped);
                entries.add(new Entry(t.name(), t.shape(), t.typeName(), options.target().name() + "_G" + options.group(), true));
            } else if (t.dtype() != null) {
                writer.addSegment(t.name(), t.dtype(), t.shape(), t.bytes());
                entries.add(new Entry(t.name(), t.shape(), t.typeName(), t.typeName(), false));
            } else {
                DType kept = keptDType(source, t);
                if (kept != null) {
                    writer.addSegment(t.name(), kept, t.shape(), t.bytes());
                } else {
                    kept = DType.F32;
                    writer.addStreamed(t.name(), kept, t.shape(), o -> streamFloats(t, o));
                }
                entries.add(new Entry(t.name(), t.shape(), t.typeName(), kept.safetensorsName(), false));
            }
        }
        writer.write(out);
    }

    /** The dtype a kept GGUF tensor copies to unchanged, or null when it must be decoded to F32. */
    private static DType keptDType(ModelSource source, SourceTensor t) throws FormatException {
        return switch (t.ggmlType()) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case I8 -> DType.I8;
            case I32 -> DType.I32;
            case I64 -> DType.I64;
            default -> {
                if (!t.decodable()) {
                    throw new FormatException(source.path(), "tensor \"" + t.name() + "\" is " + t.ggmlType()
                            + ", which jspeed cannot decode; expected one of F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K");
                }
                yield null;
            }
        };
    }

    private static void addGrouped(SafetensorsWriter writer, SourceTensor t, GroupwiseQuantizer q) {
        int rows = (int) t.rows();
        int cols = (int) t.cols();
        int groupsPerRow = cols / q.group();
        float[][] scales = new float[1][];
        DType weightType = q.bits() == 8 ? DType.I8 : DType.U8;
        writer.addStreamed(t.name(), weightType, new long[] {rows, q.rowBytes(cols)}, o -> {
            float[] row = new float[cols];
            byte[] packed = new byte[q.rowBytes(cols)];
            scales[0] = new float[rows * groupsPerRow];
            for (int r = 0; r < rows; r++) {
                t.row(r, row);
                q.quantizeRow(row, 0, cols, packed, 0, scales[0], r * groupsPerRow);
                o.write(packed);
            }
        });
        // written right after the weights (the writer keeps insertion order), from the scales they produced
        writer.addStreamed(t.name() + WeightFormats.SCALES_SUFFIX, q.f16Scales() ? DType.F16 : DType.F32,
                new long[] {rows, groupsPerRow}, o -> {
                    writeScales(o, scales[0], q.f16Scales());
                    scales[0] = null;
                });
    }

    private static void writeScales(OutputStream o, float[] scales, boolean f16) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(scales.length * (f16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : scales) {
            if (f16) {
                b.putShort(Float.floatToFloat16(s));
            } else {
                b.putFloat(s);
            }
        }
        o.write(b.array());
    }

    private static void streamFloats(SourceTensor t, OutputStream o) throws IOException {
        int cols = (int) t.cols();
        float[] row = new float[cols];
        ByteBuffer b = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < t.rows(); r++) {
            t.row(r, row);
            b.clear();
            for (float v : row) {
                b.putFloat(v);
            }
            o.write(b.array());
        }
    }

    /**
     * A quantized jspeed run is a Hugging Face folder: config.json for its architecture and its tokenizer files (the
     * checkpoint already uses Hugging Face's tensor names), so generate and perplexity load it like any other.
     */
    private static List<String> jspeedCompanions(ModelLocation run, Path out) throws IOException {
        LmConfig c = JspeedRunConfig.read(run.path().resolve("trainer.json"));
        AtomicFiles.writeString(out.resolve("config.json"),
                HfFolder.pretty(HfFolder.config(c, Vocabulary.Specials.NONE, "float32")));
        return HfFolder.tokenizerFiles(run, SourceVocabulary.read(run), c.contextLength(), out);
    }

    /** Copies a Hugging Face folder's config and tokenizer files; the shards and their index are replaced. */
    private static void copyCompanions(Path from, Path to) throws IOException {
        try (Stream<Path> list = Files.list(from)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.endsWith(".safetensors") && !name.equals("model.safetensors.index.json")) {
                    Files.copy(p, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
