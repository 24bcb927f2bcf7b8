package io.jspeed.infer.convert;

import io.jspeed.model.Family;
import io.jspeed.infer.model.LayerWeights;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.LmWeights;
import io.jspeed.infer.model.RopeLayout;
import io.jspeed.infer.model.RopeScaling;
import io.jspeed.infer.vocab.GgufVocabulary;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded model as a GGUF file llama.cpp loads: its architecture's metadata keys, tensor names (token_embd,
 * blk.N.attn_q, ...), q/k rows in the RoPE order its graph expects (interleaved for "llama", as stored for qwen2/qwen3;
 * GPT-2's q|k|v fused into attn_qkv), Llama 3 scaling as rope_freqs.weight, and the vocabulary as tokenizer.ggml.*.
 * Block matrices and the output head are stored as the requested type; a matrix whose rows do not fill whole blocks
 * falls back to F16 (as llama.cpp's converter does). Token embeddings are F32 for an F32 file and F16 otherwise
 * (or the requested type, for quantize --all); norms, biases and position tables stay F32.
 */
final class GgufExport {

    /** llama.cpp's LLAMA_FTYPE: all F32 0, mostly F16 1, Q4_0 2, Q8_0 7. */
    private static final int FTYPE_F32 = 0, FTYPE_F16 = 1, FTYPE_Q4_0 = 2, FTYPE_Q8_0 = 7;

    private final LmWeights weights;
    private final LmConfig c;
    private final GgmlType type;
    private final GgmlType embeddingType;
    private final GgufWriter w = new GgufWriter();
    private final List<String> fallbacks = new ArrayList<>();

    private GgufExport(LmWeights weights, GgmlType type, boolean quantizeEmbeddings) {
        this.weights = weights;
        this.c = weights.config();
        this.type = type;
        this.embeddingType = quantizeEmbeddings || type == GgmlType.F32 ? type : GgmlType.F16;
    }

    /** Writes {@code out}; returns notes for the user (what could not be kept as asked). */
    static List<String> write(SourceModel src, GgmlType type, boolean quantizeEmbeddings, Path out) throws IOException {
        GgufExport e = new GgufExport(src.weights(), type, quantizeEmbeddings);
        List<String> notes = new ArrayList<>();
        e.metadata(src.name());
        Vocabulary v = src.vocabulary().vocabulary();
        if (v != null) GgufVocabulary.write(forGguf(v, e.c), e.w);
        else if (src.vocabulary().absent())
            notes.add(src.vocabulary().problem() + ": the GGUF has no vocabulary, so llama.cpp cannot load it (jspeed can, with --prompt-ids)");
        else throw new IllegalArgumentException(src.vocabulary().problem() + "; GGUF needs a vocabulary llama.cpp can use");
        if (e.c.family() == Family.GPT2) e.gpt2();
        else e.llama();
        if (!e.fallbacks.isEmpty())
            notes.add(e.fallbacks.size() + " matrices have rows that do not fill whole " + type + " blocks and were stored as F16: "
                    + String.join(", ", e.fallbacks.subList(0, Math.min(4, e.fallbacks.size()))) + (e.fallbacks.size() > 4 ? ", ..." : ""));
        e.w.write(out);
        return notes;
    }

    /**
     * The vocabulary padded to the embedding's rows. A byte-level vocabulary without an end token (a jspeed run's)
     * names token 0: llama.cpp would otherwise take its default id 11 as both BOS and EOS.
     */
    private static Vocabulary forGguf(Vocabulary v, LmConfig c) {
        Vocabulary padded = v.paddedTo(c.vocabSize());
        Vocabulary.Specials s = padded.specials();
        if (padded.kind() == Vocabulary.Kind.BYTE_LEVEL && s.eos() < 0)
            padded = padded.withSpecials(new Vocabulary.Specials(Math.max(s.bos(), 0), 0, s.eot(), s.unknown(), s.padding(), s.addBos(), s.addEos()));
        return padded;
    }

    private void metadata(String name) {
        String arch = c.family().name(), a = arch + ".";
        w.putString("general.architecture", arch).putString("general.name", name);
        w.putUint32(a + "context_length", c.contextLength()).putUint32(a + "embedding_length", c.dModel())
                .putUint32(a + "feed_forward_length", c.dFf()).putUint32(a + "block_count", c.nLayer())
                .putUint32(a + "attention.head_count", c.nHead()).putUint32(a + "vocab_size", c.vocabSize());
        if (c.family() == Family.GPT2) {
            w.putFloat32(a + "attention.layer_norm_epsilon", c.normEps());
        } else {
            w.putUint32(a + "attention.head_count_kv", c.nKvHead()).putFloat32(a + "attention.layer_norm_rms_epsilon", c.normEps())
                    .putFloat32(a + "rope.freq_base", (float) c.ropeTheta()).putUint32(a + "rope.dimension_count", c.headDim());
            if (c.family().qkNorm() || c.headDim() * c.nHead() != c.dModel())
                w.putUint32(a + "attention.key_length", c.headDim()).putUint32(a + "attention.value_length", c.headDim());
            if (c.ropeScaling().kind() == RopeScaling.Kind.LINEAR)
                w.putString(a + "rope.scaling.type", "linear").putFloat32(a + "rope.scaling.factor", (float) c.ropeScaling().factor());
        }
        w.putUint32("general.file_type", switch (type) {
            case F32 -> FTYPE_F32;
            case F16 -> FTYPE_F16;
            case Q8_0 -> FTYPE_Q8_0;
            case Q4_0 -> FTYPE_Q4_0;
            default -> throw new IllegalArgumentException("GGUF export writes F32, F16, Q8_0 or Q4_0 matrices, not " + type);
        });
        if (type.isQuantized()) w.putUint32("general.quantization_version", 2);
    }

    private void llama() {
        // llama.cpp's "llama" graph rotates interleaved pairs; qwen2/qwen3 rotate halves, as Hugging Face stores them
        RopeLayout layout = c.family() == Family.LLAMA ? RopeLayout.INTERLEAVED : RopeLayout.ROTATE_HALF;
        int[] qOrder = QkRows.order(c.nHead(), c.headDim(), c.ropeLayout(), layout);
        int[] kOrder = QkRows.order(c.nKvHead(), c.headDim(), c.ropeLayout(), layout);
        embedding();
        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = weights.layers().get(l);
            String b = "blk." + l + ".";
            vector(b + "attn_norm.weight", L.attnNorm().weight());
            matrix(b + "attn_q.weight", L.q(), qOrder);
            matrix(b + "attn_k.weight", L.k(), kOrder);
            matrix(b + "attn_v.weight", L.v(), null);
            if (L.qBias() != null) {
                vector(b + "attn_q.bias", FloatArrays.reorder(L.qBias(), qOrder));
                vector(b + "attn_k.bias", FloatArrays.reorder(L.kBias(), kOrder));
                vector(b + "attn_v.bias", L.vBias());
            }
            if (L.qNorm() != null) {
                if (c.ropeLayout() != layout) throw new IllegalStateException("q/k norms with a RoPE layout change");
                vector(b + "attn_q_norm.weight", L.qNorm());
                vector(b + "attn_k_norm.weight", L.kNorm());
            }
            matrix(b + "attn_output.weight", L.o(), null);
            vector(b + "ffn_norm.weight", L.mlpNorm().weight());
            matrix(b + "ffn_gate.weight", L.gate(), null);
            matrix(b + "ffn_up.weight", L.up(), null);
            matrix(b + "ffn_down.weight", L.down(), null);
        }
        vector("output_norm.weight", weights.finalNorm().weight());
        if (!tied()) matrix("output.weight", weights.head(), null);
        float[] freqs = weights.ropeFreqFactors() != null ? weights.ropeFreqFactors()
                : c.ropeScaling().kind() == RopeScaling.Kind.LLAMA3 ? RopeFreqs.factors(c.ropeScaling(), c.ropeTheta(), c.headDim()) : null;
        if (freqs != null) vector("rope_freqs.weight", freqs);
    }

    private void gpt2() {
        int d = c.dModel();
        embedding();
        w.add("position_embd.weight", GgmlType.F32, new long[] {c.contextLength(), d}, weights.positions(), 0);
        for (int l = 0; l < c.nLayer(); l++) {
            LayerWeights L = weights.layers().get(l);
            String b = "blk." + l + ".";
            vector(b + "attn_norm.weight", L.attnNorm().weight());
            vector(b + "attn_norm.bias", L.attnNorm().bias());
            WeightMatrix[] qkv = {L.q(), L.k(), L.v()};
            w.addRows(b + "attn_qkv.weight", typeFor(b + "attn_qkv.weight", d), new long[] {3L * d, d},
                    (r, dst) -> qkv[(int) (r / d)].row((int) (r % d), dst, 0));
            vector(b + "attn_qkv.bias", FloatArrays.concat(L.qBias(), L.kBias(), L.vBias()));
            matrix(b + "attn_output.weight", L.o(), null);
            vector(b + "attn_output.bias", L.oBias());
            vector(b + "ffn_norm.weight", L.mlpNorm().weight());
            vector(b + "ffn_norm.bias", L.mlpNorm().bias());
            matrix(b + "ffn_up.weight", L.up(), null);
            vector(b + "ffn_up.bias", L.upBias());
            matrix(b + "ffn_down.weight", L.down(), null);
            vector(b + "ffn_down.bias", L.downBias());
        }
        vector("output_norm.weight", weights.finalNorm().weight());
        vector("output_norm.bias", weights.finalNorm().bias());
        // llama.cpp's gpt2 graph reads the head from output.weight and does not fall back to the tied embedding
        matrix("output.weight", weights.head(), null);
    }

    private boolean tied() {
        return c.tiedHead() || weights.head() == weights.tokenEmbedding();
    }

    private void embedding() {
        WeightMatrix e = weights.tokenEmbedding();
        w.addRows("token_embd.weight", e.cols() % embeddingType.blockSize() == 0 ? embeddingType : GgmlType.F16, new long[] {e.rows(), e.cols()},
                (r, dst) -> e.row((int) r, dst, 0));
    }

    /** Rows of m in {@code order} (null = as stored). */
    private void matrix(String name, WeightMatrix m, int[] order) {
        w.addRows(name, typeFor(name, m.cols()), new long[] {m.rows(), m.cols()},
                (r, dst) -> m.row(order == null ? (int) r : order[(int) r], dst, 0));
    }

    private GgmlType typeFor(String name, int cols) {
        if (cols % type.blockSize() == 0) return type;
        fallbacks.add(name);
        return GgmlType.F16;
    }

    private void vector(String name, float[] v) {
        w.add(name, GgmlType.F32, new long[] {v.length}, v, 0);
    }
}
