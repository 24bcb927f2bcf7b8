package io.jspeed.infer.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufValue;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.tensor.DType;
import io.jspeed.tensor.Parallel;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantize pipeline end to end on tiny files, checked against the reference codecs and error bounds. */
class ModelQuantizerTest {

    @TempDir
    Path dir;

    private static float[] gaussian(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * 0.05);
        }
        return x;
    }

    private Path tinyGguf(float[] embd, float[] wq, float[] norm) throws Exception {
        Path in = dir.resolve("in.gguf");
        new GgufWriter().putString("general.architecture", "llama").put("llama.block_count", GgufValue.uint32(1))
                .putStrings("tokenizer.ggml.tokens", List.of("a", "b"))
                .addF32("token_embd.weight", new long[] {8, 64}, embd, 0)
                .addF32("blk.0.attn_q.weight", new long[] {5, 64}, wq, 0)
                .addF32("blk.0.attn_norm.weight", new long[] {64}, norm, 0)
                .write(in);
        return in;
    }

    @Test
    void ggufToQ8_0KeepsMetadataEmbeddingsAndNormsAndQuantizesMatricesLikeGgml() throws Exception {
        float[] embd = gaussian(8 * 64, 1);
        float[] wq = gaussian(5 * 64, 2);
        float[] norm = gaussian(64, 3);
        Path out = dir.resolve("out.gguf");
        ModelQuantizer.Report report = ModelQuantizer.quantize(tinyGguf(embd, wq, norm), out,
                new ModelQuantizer.Options(QuantTarget.Q8_0, 128, false, true));
        assertThat(report.quantizedCount()).isEqualTo(1);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().string("general.architecture")).isEqualTo("llama");
            assertThat(f.metadata().strings("tokenizer.ggml.tokens")).containsExactly("a", "b");
            assertThat(f.metadata().int32("general.file_type")).isEqualTo(7);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(f.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
            byte[] expected = new byte[5 * 2 * 34];
            GgmlQuant.quantizeQ8_0(wq, 0, wq.length, expected, 0);
            assertThat(f.tensor("blk.0.attn_q.weight").data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(expected);
        }
    }

    @Test
    void allQuantizesEmbeddingsToo() throws Exception {
        Path out = dir.resolve("out.gguf");
        ModelQuantizer.quantize(tinyGguf(gaussian(512, 1), gaussian(320, 2), gaussian(64, 3)), out,
                new ModelQuantizer.Options(QuantTarget.Q4_0, 128, true, true));
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(f.metadata().int32("general.file_type")).isEqualTo(2);
        }
    }

    @Test
    void hfFolderToGroupedInt8AndInt4WithinTheirErrorBounds() throws Exception {
        Path hf = Files.createDirectories(dir.resolve("hf"));
        Files.writeString(hf.resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.writeString(hf.resolve("model.safetensors.index.json"), "{}");
        float[] embed = gaussian(6 * 256, 4);
        float[] proj = gaussian(7 * 256, 5);
        float[] odd = gaussian(3 * 48, 6);
        new SafetensorsWriter().addFloats("model.embed_tokens.weight", new long[] {6, 256}, embed, 0)
                .write(hf.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().addBf16("model.layers.0.mlp.up_proj.weight", new long[] {7, 256}, proj, 0)
                .addFloats("model.layers.0.odd.weight", new long[] {3, 48}, odd, 0)
                .addFloats("model.norm.weight", new long[] {256}, embed, 0)
                .write(hf.resolve("model-00002-of-00002.safetensors"));
        for (QuantTarget target : new QuantTarget[] {QuantTarget.INT8, QuantTarget.INT4}) {
            for (boolean f16 : new boolean[] {true, false}) {
                Path out = dir.resolve("out-" + target + f16);
                ModelQuantizer.Report report = ModelQuantizer.quantize(hf, out, new ModelQuantizer.Options(target, 64, false, f16));
                assertThat(report.quantizedCount()).as("only up_proj: embeddings, norms and 48-wide rows stay").isEqualTo(1);
                assertThat(out.resolve("config.json")).hasContent("{\"model_type\": \"llama\"}");
                assertThat(out.resolve("model.safetensors.index.json")).doesNotExist();
                try (SafetensorsFile f = SafetensorsFile.open(out.resolve("model.safetensors"))) {
                    assertThat(f.info("model.embed_tokens.weight").dtype()).isEqualTo(DType.F32);
                    assertThat(f.info("model.layers.0.odd.weight").dtype()).isEqualTo(DType.F32);
                    assertThat(f.floats("model.norm.weight")).containsExactly(java.util.Arrays.copyOf(embed, 256));
                    WeightMatrix w = WeightFormats.of(f, "model.layers.0.mlp.up_proj.weight");
                    assertThat(w.rows()).isEqualTo(7);
                    assertThat(w.cols()).isEqualTo(256);
                    assertThat(w.format()).isEqualTo((target == QuantTarget.INT8 ? "INT8" : "INT4") + "_G64");
                    float[] bf16 = roundedToBf16(proj);  // the source stored up_proj as BF16
                    float qmax = target == QuantTarget.INT8 ? 127 : 7;
                    float[] row = new float[256];
                    for (int r = 0; r < 7; r++) {
                        w.row(r, row, 0);
                        for (int g = 0; g < 4; g++) {
                            float amax = 0;
                            for (int j = 0; j < 64; j++) {
                                amax = Math.max(amax, Math.abs(bf16[r * 256 + g * 64 + j]));
                            }
                            // half a step, plus what rounding the scale to fp16 moves the largest level
                            double bound = amax / qmax * 0.5 + (f16 ? amax * Math.pow(2, -10) : 1e-7);
                            for (int j = 0; j < 64; j++) {
                                int c = g * 64 + j;
                                assertThat((double) row[c]).isCloseTo(bf16[r * 256 + c], within(bound));
                            }
                        }
                    }
                    float[] x = gaussian(256, 9);
                    float[] y = new float[7];
                    w.matvec(Parallel.serial(), x, 0, y, 0);
                    for (int r = 0; r < 7; r++) {
                        w.row(r, row, 0);
                        double dot = 0;
                        for (int c = 0; c < 256; c++) {
                            dot += (double) row[c] * x[c];
                        }
                        assertThat((double) y[r]).isCloseTo(dot, within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void crossFormats() throws Exception {
        // safetensors -> Q8_0 GGUF: names kept, shapes reversed into ne order by the writer
        float[] proj = gaussian(3 * 64, 7);
        Path st = dir.resolve("m.safetensors");
        new SafetensorsWriter().metadata("format", "pt").addFloats("lm_head.weight", new long[] {3, 64}, proj, 0).write(st);
        Path gguf = dir.resolve("m.gguf");
        ModelQuantizer.quantize(st, gguf, new ModelQuantizer.Options(QuantTarget.Q8_0, 128, false, true));
        try (GgufFile f = GgufFile.open(gguf)) {
            assertThat(f.metadata().string("format")).isEqualTo("pt");
            assertThat(f.tensor("lm_head.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("lm_head.weight").shape()).containsExactly(3, 64);
        }
        // GGUF with K-quants -> int8 safetensors: the Q4_K matrix is requantized, the kept Q6_K embedding decoded to F32
        Random rng = new Random(8);
        byte[] q4k = new byte[2 * 144];
        byte[] q6k = new byte[2 * 210];
        rng.nextBytes(q4k);
        rng.nextBytes(q6k);
        for (int b = 0; b < 2; b++) {
            q4k[b * 144 + 1] = 0x20;  // fp16 d and dmin ~ 0.008: finite, modest
            q4k[b * 144 + 3] = 0x20;
            q6k[b * 210 + 209] = 0x20;
        }
        Path k = dir.resolve("k.gguf");
        new GgufWriter().addRaw("blk.0.ffn_up.weight", GgmlType.Q4_K, new long[] {2, 256}, java.lang.foreign.MemorySegment.ofArray(q4k))
                .addRaw("token_embd.weight", GgmlType.Q6_K, new long[] {2, 256}, java.lang.foreign.MemorySegment.ofArray(q6k)).write(k);
        Path out = dir.resolve("k.safetensors");
        ModelQuantizer.quantize(k, out, new ModelQuantizer.Options(QuantTarget.INT8, 128, false, false));
        try (SafetensorsFile f = SafetensorsFile.open(out); GgufFile g = GgufFile.open(k)) {
            float[] embd = new float[512];
            GgmlQuant.dequantize(GgmlType.Q6_K, g.tensor("token_embd.weight").data(), 0, embd, 0, 512);
            assertThat(f.floats("token_embd.weight")).containsExactly(embd);
            assertThat(WeightFormats.of(f, "blk.0.ffn_up.weight").format()).isEqualTo("INT8_G128");
        }
    }

    @Test
    void ggmlQuantizeDequantizeStaysWithinTheFormatsErrorBounds() {
        float[] x = gaussian(32 * 50, 11);
        byte[] q8 = new byte[50 * 34];
        byte[] q4 = new byte[50 * 18];
        GgmlQuant.quantizeQ8_0(x, 0, x.length, q8, 0);
        GgmlQuant.quantizeQ4_0(x, 0, x.length, q4, 0);
        float[] d8 = new float[x.length];
        float[] d4 = new float[x.length];
        GgmlQuant.dequantize(GgmlType.Q8_0, java.lang.foreign.MemorySegment.ofArray(q8), 0, d8, 0, x.length);
        GgmlQuant.dequantize(GgmlType.Q4_0, java.lang.foreign.MemorySegment.ofArray(q4), 0, d4, 0, x.length);
        for (int b = 0; b < 50; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                // Q8_0: half a step of amax/127; Q4_0: one step of amax/8 (the far side clips at 7 of 8 levels)
                assertThat((double) d8[i]).isCloseTo(x[i], within(amax / 127 * 0.5 + amax * Math.pow(2, -10)));
                assertThat((double) d4[i]).isCloseTo(x[i], within(amax / 8 + amax * Math.pow(2, -9)));
            }
        }
    }

    private static float[] roundedToBf16(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = io.jspeed.tensor.BF16.toFloat(io.jspeed.tensor.BF16.fromFloat(x[i]));
        }
        return out;
    }
}
