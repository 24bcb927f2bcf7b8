package io.jspeed.infer.convert;

import io.jspeed.model.Family;
import io.jspeed.infer.model.LayerWeights;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.LmWeights;
import io.jspeed.infer.model.RopeLayout;
import io.jspeed.infer.model.RopeScaling;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.tensor.BF16;
import io.jspeed.tensor.DType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A loaded model as a Hugging Face folder: config.json (LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM or
 * GPT2LMHeadModel), model.safetensors under Hugging Face's tensor names with every tensor in one dtype (q/k rows in
 * rotate-half order; GPT-2's Conv1D weights [in, out] with q|k|v fused), and the tokenizer files. The folder is
 * built beside OUT and renamed into place, so a failed conversion leaves nothing half-written.
 */
final class HfExport {

    private final LmWeights weights;
    private final LmConfig c;
    private final DType dtype;
    private final SafetensorsWriter w = new SafetensorsWriter();

    private HfExport(LmWeights weights, DType dtype) {
        this.weights = weights;
        this.c = weights.config();
        this.dtype = dtype;
    }

    static List<String> write(SourceModel src, DType dtype, Path out) throws IOException {
        if (Files.exists(out) && !isEmptyDirectory(out))
            throw new IOException(out + " already exists; convert --to safetensors writes a new folder");
        RopeScaling scaling = src.weights().ropeFreqFactors() == null ? src.model().config().ropeScaling()
                : RopeFreqs.fit(src.weights().ropeFreqFactors(), src.model().config().ropeTheta(), src.model().config().headDim());
        Path abs = out.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        Files.createDirectories(tmp);
        try {
            HfExport e = new HfExport(src.weights(), dtype);
            boolean tied = e.tied();
            if (e.c.family() == Family.GPT2) e.gpt2(tied);
            else e.llama(tied);
            e.w.metadata("format", "pt");
            e.w.write(tmp.resolve("model.safetensors"));
            Vocabulary v = src.vocabulary().vocabulary();
            Vocabulary.Specials specials = v == null ? Vocabulary.Specials.NONE : v.specials();
            LmConfig c = e.c;
            LmConfig written = new LmConfig(c.family(), c.vocabSize(), c.nLayer(), c.nHead(), c.nKvHead(), c.dModel(), c.headDim(), c.dFf(),
                    c.contextLength(), c.normEps(), c.ropeTheta(), scaling, RopeLayout.ROTATE_HALF, tied);
            AtomicFiles.writeString(tmp.resolve("config.json"), HfFolder.pretty(HfFolder.config(written, specials, torchDtype(dtype))));
            List<String> notes = HfFolder.tokenizerFiles(src.location(), src.vocabulary(), e.c.contextLength(), tmp);
            if (Files.isDirectory(abs)) Files.delete(abs);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, abs);
            }
            return notes;
        } catch (IOException | RuntimeException x) {
            deleteTree(tmp, x);
            throw x;
        }
    }

    private void llama(boolean tied) {
        int[] qOrder = QkRows.order(c.nHead(), c.headDim(), c.ropeLayout(), RopeLayout.ROTATE_HALF);
        int[] kOrder = QkRows.order(c.nKvHead(), c.headDim(), c.ropeLayout(), RopeLayout.ROTATE_HALF);
        matrix("model.embed_tokens.weight", weights.tokenEmbedding(), null);
        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = weights.layers().get(l);
            String p = "model.layers." + l + ".", a = p + "self_attn.", m = p + "mlp.";
            vector(p + "input_layernorm.weight", L.attnNorm().weight());
            matrix(a + "q_proj.weight", L.q(), qOrder);
            matrix(a + "k_proj.weight", L.k(), kOrder);
            matrix(a + "v_proj.weight", L.v(), null);
            if (L.qBias() != null) {
                vector(a + "q_proj.bias", FloatArrays.reorder(L.qBias(), qOrder));
                vector(a + "k_proj.bias", FloatArrays.reorder(L.kBias(), kOrder));
                vector(a + "v_proj.bias", L.vBias());
            }
            if (L.qNorm() != null) {
                vector(a + "q_norm.weight", L.qNorm());
                vector(a + "k_norm.weight", L.kNorm());
            }
            matrix(a + "o_proj.weight", L.o(), null);
            vector(p + "post_attention_layernorm.weight", L.mlpNorm().weight());
            matrix(m + "gate_proj.weight", L.gate(), null);
            matrix(m + "up_proj.weight", L.up(), null);
            matrix(m + "down_proj.weight", L.down(), null);
        }
        vector("model.norm.weight", weights.finalNorm().weight());
        if (!tied) matrix("lm_head.weight", weights.head(), null);
    }

    private void gpt2(boolean tied) {
        String t = "transformer.";
        matrix(t + "wte.weight", weights.tokenEmbedding(), null);
        floats(t + "wpe.weight", new long[] {c.contextLength(), c.dModel()}, weights.positions());
        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = weights.layers().get(l);
            String p = t + "h." + l + ".";
            vector(p + "ln_1.weight", L.attnNorm().weight());
            vector(p + "ln_1.bias", L.attnNorm().bias());
            conv1d(p + "attn.c_attn.weight", L.q(), L.k(), L.v());
            vector(p + "attn.c_attn.bias", FloatArrays.concat(L.qBias(), L.kBias(), L.vBias()));
            conv1d(p + "attn.c_proj.weight", L.o());
            vector(p + "attn.c_proj.bias", L.oBias());
            vector(p + "ln_2.weight", L.mlpNorm().weight());
            vector(p + "ln_2.bias", L.mlpNorm().bias());
            conv1d(p + "mlp.c_fc.weight", L.up());
            vector(p + "mlp.c_fc.bias", L.upBias());
            conv1d(p + "mlp.c_proj.weight", L.down());
            vector(p + "mlp.c_proj.bias", L.downBias());
        }
        vector(t + "ln_f.weight", weights.finalNorm().weight());
        vector(t + "ln_f.bias", weights.finalNorm().bias());
        if (!tied) matrix("lm_head.weight", weights.head(), null);
    }

    /**
     * Tied when the config says so, or when the head holds exactly the embedding's values (llama.cpp's gpt2 files
     * always carry output.weight, usually a copy).
     */
    private boolean tied() {
        WeightMatrix e = weights.tokenEmbedding(), h = weights.head();
        if (c.tiedHead() || h == e) return true;
        if (c.family() != Family.GPT2 || h.rows() != e.rows() || h.cols() != e.cols()) return false;
        float[] a = new float[e.cols()], b = new float[e.cols()];
        for (int r = 0; r < e.rows(); r++) {
            e.row(r, a, 0);
            h.row(r, b, 0);
            if (!java.util.Arrays.equals(a, b)) return false;
        }
        return true;
    }

    /** Rows of m in {@code order} (null = as stored). */
    private void matrix(String name, WeightMatrix m, int[] order) {
        int cols = m.cols();
        w.addStreamed(name, dtype, new long[] {m.rows(), cols}, o -> {
            float[] row = new float[cols];
            for (int r = 0; r < m.rows(); r++) {
                m.row(order == null ? r : order[r], row, 0);
                write(o, row, cols);
            }
        });
    }

    /** [out, in] matrices stacked by rows, written transposed as one Conv1D weight [in, sum of out]. */
    private void conv1d(String name, WeightMatrix... parts) {
        int in = parts[0].cols(), out = 0;
        for (WeightMatrix p : parts) out += p.rows();
        int outs = out;
        w.addStreamed(name, dtype, new long[] {in, out}, o -> {
            float[] all = new float[Math.multiplyExact(outs, in)];
            int at = 0;
            for (WeightMatrix p : parts)
                for (int r = 0; r < p.rows(); r++, at++) p.row(r, all, at * in);
            float[] row = new float[outs];
            for (int i = 0; i < in; i++) {
                for (int r = 0; r < outs; r++) row[r] = all[r * in + i];
                write(o, row, outs);
            }
        });
    }

    private void vector(String name, float[] v) {
        floats(name, new long[] {v.length}, v);
    }

    private void floats(String name, long[] shape, float[] v) {
        w.addStreamed(name, dtype, shape, o -> write(o, v, v.length));
    }

    private void write(OutputStream o, float[] v, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case F32 -> b.putFloat(v[i]);
                case F16 -> b.putShort(Float.floatToFloat16(v[i]));
                case BF16 -> b.putShort(BF16.fromFloat(v[i]));
                default -> throw new IllegalStateException(dtype.toString());
            }
        }
        o.write(b.array());
    }

    private static String torchDtype(DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException("safetensors export writes F32, F16 or BF16, not " + dtype);
        };
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir, Exception cause) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
