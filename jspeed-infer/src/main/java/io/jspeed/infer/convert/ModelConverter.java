package io.jspeed.infer.convert;

import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code jspeed convert}: any model jspeed loads (a jspeed run or checkpoint, a Hugging Face folder, a GGUF file;
 * GPT-2, Llama/Mistral, Qwen2, Qwen3) written as a GGUF file for llama.cpp or as a Hugging Face folder. The model is
 * read through {@link io.jspeed.infer.model.ModelLoader}, so the converted file holds exactly what jspeed computes with.
 */
public final class ModelConverter {

    public enum Format { GGUF, SAFETENSORS }

    /** What was written: the file (GGUF) or folder (safetensors), its weight bytes, a one-line summary and notes. */
    public record Report(Path output, long bytes, String summary, List<String> notes) {}

    private ModelConverter() {}

    /**
     * A GGUF of {@code type} matrices (F32, F16, Q8_0, Q4_0). {@code quantizeEmbeddings}: the token embedding is
     * stored as {@code type} too (else F32 for an F32 file, F16 otherwise).
     */
    public static Report toGguf(Path in, Path out, GgmlType type, boolean quantizeEmbeddings) throws IOException {
        try (SourceModel src = SourceModel.open(in)) {
            List<String> notes = GgufExport.write(src, type, quantizeEmbeddings, out);
            Vocabulary v = src.vocabulary().vocabulary();
            String tokenizer = v == null ? "no tokenizer" : "tokenizer " + v.kind().ggmlName() + (v.pre() == null ? "" : "/" + v.pre());
            return new Report(out, Files.size(out), "gguf " + src.model().config().family().name() + ", matrices " + type + ", " + tokenizer, notes);
        }
    }

    public static Format format(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gguf" -> Format.GGUF;
            case "safetensors" -> Format.SAFETENSORS;
            default -> throw new IllegalArgumentException("--to " + name + ": expected gguf or safetensors");
        };
    }

    /** @param type f32, f16, q8_0 or q4_0 for GGUF; f32, f16 or bf16 for safetensors */
    public static Report convert(Path in, Path out, Format to, String type) throws IOException {
        String t = type.toLowerCase(Locale.ROOT);
        if (to == Format.GGUF) {
            GgmlType ggml = switch (t) {
                case "f32" -> GgmlType.F32;
                case "f16" -> GgmlType.F16;
                case "q8_0" -> GgmlType.Q8_0;
                case "q4_0" -> GgmlType.Q4_0;
                default -> throw new IllegalArgumentException("--type " + type + ": GGUF export writes f32, f16, q8_0 or q4_0");
            };
            return toGguf(in, out, ggml, false);
        }
        DType dtype = switch (t) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "q8_0", "q4_0", "int8", "int4" -> throw new IllegalArgumentException("--type " + type + ": safetensors export writes f32, f16 "
                    + "or bf16; for grouped int8/int4 run ./jspeed quantize --to int8|int4 on the converted folder");
            default -> throw new IllegalArgumentException("--type " + type + ": safetensors export writes f32, f16 or bf16");
        };
        try (SourceModel src = SourceModel.open(in)) {
            List<String> notes = HfExport.write(src, dtype, out);
            return new Report(out, Files.size(out.resolve("model.safetensors")), "safetensors "
                    + HfFolder.architecture(src.model().config().family()) + ", " + dtype.safetensorsName(), notes);
        }
    }
}
