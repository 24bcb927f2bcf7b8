package io.jspeed.infer.runtime;

import io.jspeed.model.Family;
import io.jspeed.infer.model.LayerWeights;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.LmWeights;
import io.jspeed.infer.model.NormWeights;
import io.jspeed.infer.weights.PanelGemm;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AttentionShape;
import io.jspeed.tensor.kernel.FlashAttention;
import io.jspeed.tensor.kernel.Gelu;
import io.jspeed.tensor.kernel.Strided;
import io.jspeed.tensor.kernel.LayerNorm;
import io.jspeed.tensor.kernel.RmsNorm;
import io.jspeed.tensor.kernel.SwiGlu;
import io.jspeed.tensor.kernel.Vectors;
import io.jspeed.tensor.matmul.JavaFp32Matmul;
import io.jspeed.tensor.matmul.MatmulEngine;

import java.util.List;

/**
 * The inference forward pass over a KV cache. One call advances several sequences at once, each by its own number
 * of new tokens at its own position: all new tokens form the rows of one batch, so every weight matrix is streamed
 * once per call (decode = one row per sequence; prefill = a chunk of rows through matmul), and only attention looks
 * at which sequence a row belongs to. Not thread-safe: one caller drives a model (the batch is the parallelism).
 */
public final class LanguageModel {

    /** Weight bytes below which a parallel chunk costs more in wake-up than it saves (as the weight formats split). */
    private static final long CHUNK_BYTES = 1 << 15;
    /** Multiply-adds of attention below which decode runs it on the calling thread. */
    private static final long ATTENTION_GRAIN = 1 << 15;

    private final LmWeights weights;
    private final LmConfig config;
    private final Family family;
    private final Parallel pool;
    private final Rotary rotary;
    private final float attentionScale;
    private final PanelGemm panels;
    /** The log-sum-exp rows the tiled prompt attention writes (unused here: nothing runs backward). */
    private float[] promptLse = new float[0];
    private Workspace ws;
    /** Reused by {@link #decode} so a decode step allocates no argument arrays. */
    private final SequenceState[] oneSequence = new SequenceState[1];
    private final List<SequenceState> oneSequenceList = java.util.Arrays.asList(oneSequence);
    private final int[][] oneToken = {new int[1]};
    /** Attention scores per thread (a pool thread may run any chunk), grown to the longest sequence seen. */
    private final ThreadLocal<float[]> scoreScratch = ThreadLocal.withInitial(() -> new float[256]);

    /** Long batches run on the Java fp32 GEMM blocked for this host's caches. */
    public LanguageModel(LmWeights weights, Parallel pool) {
        this(weights, pool, JavaFp32Matmul.forHost(pool.threads()), JavaFp32Matmul.forHost(pool.threads()));
    }

    /**
     * Long batches (prefill, perplexity windows) run as GEMMs over dequantized weight panels: {@code exact} (fp32)
     * for F32/F16/BF16 weights, {@code coarse} (may round to bf16) for quantized ones; see {@link PanelGemm}.
     */
    public LanguageModel(LmWeights weights, Parallel pool, MatmulEngine exact, MatmulEngine coarse) {
        this.panels = new PanelGemm(exact, coarse);
        this.weights = weights;
        this.config = weights.config();
        this.family = config.family();
        this.pool = pool;
        this.rotary = family.learnedPositions() ? null : new Rotary(weights.inverseFrequencies(), config.ropeLayout());
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    public LmConfig config() {
        return config;
    }

    public LmWeights weights() {
        return weights;
    }

    public Parallel pool() {
        return pool;
    }

    public SequenceState newSequence() {
        return newSequence(KvCache.Precision.FP32);
    }

    public SequenceState newSequence(KvCache.Precision precision) {
        return new SequenceState(KvCache.create(precision, config.nLayer(), config.nKvHead(), config.headDim(), config.contextLength()));
    }

    /**
     * Feeds {@code tokens[i]} to {@code seqs.get(i)} (at least one token each) and returns the logits after each
     * sequence's last new token: row i at offset i·vocab. The array belongs to the model and is overwritten by the
     * next call.
     */
    public float[] forward(List<SequenceState> seqs, int[][] tokens) {
        return run(seqs, tokens, false);
    }

    /** One sequence, logits of every new token [tokens.length, vocab] (perplexity); same ownership as forward. */
    public float[] forwardAll(SequenceState seq, int[] tokens) {
        return run(List.of(seq), new int[][] {tokens}, true);
    }

    /** One decode step of one sequence: logits after {@code token}. */
    public float[] decode(SequenceState seq, int token) {
        oneSequence[0] = seq;
        oneToken[0][0] = token;
        return run(oneSequenceList, oneToken, false);
    }

    /** One sequence, logits of its last new token. */
    public float[] forward(SequenceState seq, int... tokens) {
        return run(List.of(seq), new int[][] {tokens}, false);
    }

    private float[] run(List<SequenceState> seqs, int[][] tokens, boolean allPositions) {
        if (seqs.size() != tokens.length)
            throw new IllegalArgumentException(seqs.size() + " sequences but " + tokens.length + " token lists");
        int n = 0;
        for (int s = 0; s < tokens.length; s++) {
            if (tokens[s].length == 0) throw new IllegalArgumentException("sequence " + s + " has no new tokens");
            n += tokens[s].length;
        }
        int outRows = allPositions ? n : seqs.size();
        Workspace w = workspace(n, outRows);
        int row = 0;
        for (int s = 0; s < tokens.length; s++) {
            SequenceState seq = seqs.get(s);
            seq.cache().reserve(seq.length() + tokens[s].length);
            for (int i = 0; i < tokens[s].length; i++, row++) {
                int t = tokens[s][i];
                if (t < 0 || t >= config.vocabSize())
                    throw new IllegalArgumentException("token id " + t + " outside the vocabulary [0, " + config.vocabSize() + ")");
                w.rowSeq[row] = s;
                w.rowPos[row] = seq.length() + i;
            }
        }
        embed(w, tokens, n);
        if (rotary != null) rotary.angles(w.rowPos, n, w.cos, w.sin);
        for (int l = 0; l < config.nLayer(); l++) layer(l, weights.layers().get(l), w, seqs, n);
        for (int s = 0; s < tokens.length; s++) seqs.get(s).advance(tokens[s].length);
        return head(w, tokens, n, allPositions);
    }

    private Workspace workspace(int rows, int outRows) {
        if (ws == null || ws.rows < rows || ws.outRows < outRows)
            ws = new Workspace(config, Math.max(rows, ws == null ? 0 : ws.rows), Math.max(outRows, ws == null ? 0 : ws.outRows));
        return ws;
    }

    private void embed(Workspace w, int[][] tokens, int n) {
        int c = config.dModel(), row = 0;
        for (int[] seqTokens : tokens) for (int t : seqTokens) weights.tokenEmbedding().row(t, w.x, c * row++);
        float[] positions = weights.positions();
        if (positions != null)
            for (int r = 0; r < n; r++) Vectors.add(Parallel.serial(), w.x, r * c, w.x, r * c, positions, w.rowPos[r] * c, c);
    }

    /** x += attention(norm(x)); x += mlp(norm(x)). */
    private void layer(int l, LayerWeights lw, Workspace w, List<SequenceState> seqs, int n) {
        int c = config.dModel();
        norm(lw.attnNorm(), w.x, w.h, w, n, c);
        attentionBranch(l, lw, w, seqs, n);
        Vectors.add(pool, w.x, 0, w.x, 0, w.proj, 0, n * c);
        norm(lw.mlpNorm(), w.x, w.h, w, n, c);
        mlpBranch(lw, w, n);
        Vectors.add(pool, w.x, 0, w.x, 0, w.proj, 0, n * c);
    }

    /** w.proj = o_proj(attention over the cache of q, k, v projected from w.h), storing this step's k and v. */
    private void attentionBranch(int l, LayerWeights lw, Workspace w, List<SequenceState> seqs, int n) {
        int qw = config.qWidth(), kvw = config.kvWidth(), d = config.headDim();
        if (n == 1) {
            // decode: q, k and v read the same vector, so one parallel region streams all three
            int qr = lw.q().rows(), kr = lw.k().rows(), total = qr + 2 * kr;
            pool.forChunks(total, chunks(lw.q().bytes() * total / qr), (a, b) -> {
                rows(lw.q(), w.h, w.q, 0, a, b);
                rows(lw.k(), w.h, w.k, qr, a, b);
                rows(lw.v(), w.h, w.v, qr + kr, a, b);
            });
            addBias(w.q, lw.qBias(), 1);
            addBias(w.k, lw.kBias(), 1);
            addBias(w.v, lw.vBias(), 1);
        } else {
            project(lw.q(), w.h, n, w.q, lw.qBias());
            project(lw.k(), w.h, n, w.k, lw.kBias());
            project(lw.v(), w.h, n, w.v, lw.vBias());
        }
        if (family.qkNorm()) {
            RmsNorm.forward(pool, w.q, 0, w.stat, 0, w.q, 0, lw.qNorm(), 0, n * config.nHead(), d, config.normEps());
            RmsNorm.forward(pool, w.k, 0, w.stat, 0, w.k, 0, lw.kNorm(), 0, n * config.nKvHead(), d, config.normEps());
        }
        for (int r = 0; r < n; r++) {
            if (rotary != null) {
                rotary.rotate(w.q, r * qw, config.nHead(), r, w.cos, w.sin);
                rotary.rotate(w.k, r * kvw, config.nKvHead(), r, w.cos, w.sin);
            }
            seqs.get(w.rowSeq[r]).cache().store(l, w.rowPos[r], w.k, r * kvw, w.v, r * kvw);
        }
        attention(l, w, seqs, n);
        project(lw.o(), w.att, n, w.proj, lw.oBias());
    }

    /** w.proj = down(activation(up-projections of w.h)). */
    private void mlpBranch(LayerWeights lw, Workspace w, int n) {
        int f = config.dFf();
        if (n == 1) decodeMlp(lw, w, f);
        else switch (family.mlp()) {
            case SWIGLU -> {
                project(lw.gate(), w.h, n, w.gate, null);
                project(lw.up(), w.h, n, w.up, null);
                SwiGlu.forward(pool, w.act, 0, w.gate, 0, w.up, 0, n * f);
            }
            case GELU -> {
                project(lw.up(), w.h, n, w.up, lw.upBias());
                Gelu.forward(pool, w.act, 0, w.up, 0, n * f);
            }
        }
        project(lw.down(), w.act, n, w.proj, lw.downBias());
    }

    /**
     * Every (row, KV head) attends with its group of query heads to its sequence's cache up to and including the
     * row's own position.
     */
    private void attention(int l, Workspace w, List<SequenceState> seqs, int n) {
        if (n > 1 && everySequenceStartsEmpty(w, n)) {
            tiledPrompts(w, n);
            return;
        }
        int kvHeads = config.nKvHead(), group = config.nHead() / kvHeads, d = config.headDim(), qw = config.qWidth();
        int units = n * kvHeads;
        long work = 0;
        for (int r = 0; r < n; r++) work += (long) config.nHead() * (w.rowPos[r] + 1) * d;
        // a short decode context is a few microseconds of work: less than waking the pool
        int chunks = work < ATTENTION_GRAIN ? 1 : Math.min(units, 4 * pool.threads());
        pool.forChunks(units, chunks, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int r = u / kvHeads, kv = u % kvHeads, off = r * qw + kv * group * d, length = w.rowPos[r] + 1;
                seqs.get(w.rowSeq[r]).cache().attend(l, kv, length, w.q, off, group, attentionScale, w.att, off, scores(group * length));
            }
        });
    }

    /** Whether every sequence in this call starts at position 0, so its keys are all in this call's rows. */
    private static boolean everySequenceStartsEmpty(Workspace w, int n) {
        for (int r = 0; r < n; r++) {
            boolean first = r == 0 || w.rowSeq[r] != w.rowSeq[r - 1];
            if (w.rowPos[r] != (first ? 0 : w.rowPos[r - 1] + 1)) return false;
        }
        return true;
    }

    /**
     * Prompts from an empty cache: each sequence's causal attention over its own rows, by the tiled (flash) kernel
     * training uses, on the fp32 q, k and v of this call (the cache holds the same keys, perhaps rounded).
     */
    private void tiledPrompts(Workspace w, int n) {
        int qw = config.qWidth(), kvw = config.kvWidth();
        for (int start = 0, end; start < n; start = end) {
            end = start + 1;
            while (end < n && w.rowSeq[end] == w.rowSeq[start]) end++;
            int len = end - start;
            AttentionShape shape = new AttentionShape(1, len, config.nHead(), config.nKvHead(), config.headDim());
            if (promptLse.length < shape.lseLength()) promptLse = new float[shape.lseLength()];
            FlashAttention.forward(pool, shape, new Strided(w.q, start * qw, qw), new Strided(w.k, start * kvw, kvw),
                    new Strided(w.v, start * kvw, kvw), new Strided(w.att, start * qw, qw), promptLse);
        }
    }

    /** This thread's attention score scratch, at least {@code length} long. */
    private float[] scores(int length) {
        float[] s = scoreScratch.get();
        if (s.length < length) {
            s = new float[Math.max(length, 2 * s.length)];
            scoreScratch.set(s);
        }
        return s;
    }

    private void norm(NormWeights nw, float[] in, float[] out, Workspace w, int n, int c) {
        switch (family.norm()) {
            case RMS_NORM -> RmsNorm.forward(pool, out, 0, w.stat, 0, in, 0, nw.weight(), 0, n, c, config.normEps());
            case LAYER_NORM -> LayerNorm.forward(pool, out, 0, w.mean, w.stat, 0, in, 0, nw.weight(), 0, nw.bias(), 0, n, c, config.normEps());
        }
    }

    /**
     * Decode MLP in one parallel region: each chunk of hidden units computes its gate and up rows (or up + bias) and
     * applies the activation, so the pool is woken once for the up-projections.
     */
    private void decodeMlp(LayerWeights lw, Workspace w, int f) {
        long bytes = lw.up().bytes() * (lw.gate() == null ? 1 : 2);
        switch (family.mlp()) {
            case SWIGLU -> pool.forChunks(f, chunks(bytes), (a, b) -> {
                lw.gate().matvecRows(w.h, 0, w.gate, 0, a, b);
                lw.up().matvecRows(w.h, 0, w.up, 0, a, b);
                SwiGlu.forward(Parallel.serial(), w.act, a, w.gate, a, w.up, a, b - a);
            });
            case GELU -> pool.forChunks(f, chunks(bytes), (a, b) -> {
                lw.up().matvecRows(w.h, 0, w.up, 0, a, b);
                if (lw.upBias() != null) for (int i = a; i < b; i++) w.up[i] += lw.upBias()[i];
                Gelu.forward(Parallel.serial(), w.act, a, w.up, a, b - a);
            });
        }
    }

    /** The part of fused rows [a, b) that falls in matrix m, whose rows start at {@code base} in the fused order. */
    private static void rows(WeightMatrix m, float[] x, float[] out, int base, int a, int b) {
        int start = Math.max(a, base) - base, end = Math.min(b, base + m.rows()) - base;
        if (start < end) m.matvecRows(x, 0, out, 0, start, end);
    }

    /** Chunks for a region streaming {@code bytes} of weights: a few per thread, none smaller than CHUNK_BYTES. */
    private int chunks(long bytes) {
        return (int) Math.max(1, Math.min(4L * pool.threads(), bytes / CHUNK_BYTES));
    }

    private static void addBias(float[] out, float[] bias, int n) {
        if (bias == null) return;
        for (int r = 0; r < n; r++) Vectors.add(Parallel.serial(), out, r * bias.length, out, r * bias.length, bias, 0, bias.length);
    }

    /** out[n, rows] = in[n, cols] · Wᵀ (+ bias). */
    private void project(WeightMatrix m, float[] in, int n, float[] out, float[] bias) {
        if (n == 1) m.matvec(pool, in, 0, out, 0);
        else panels.multiply(pool, m, in, 0, n, out, 0);
        addBias(out, bias, n);
    }

    private float[] head(Workspace w, int[][] tokens, int n, boolean allPositions) {
        int c = config.dModel(), rows;
        if (allPositions) {
            rows = n;
            norm(weights.finalNorm(), w.x, w.outHidden, w, n, c);
        } else {
            rows = tokens.length;
            int last = -1;
            for (int s = 0; s < tokens.length; s++) {
                last += tokens[s].length;
                System.arraycopy(w.x, last * c, w.h, s * c, c);
            }
            norm(weights.finalNorm(), w.h, w.outHidden, w, rows, c);
        }
        project(weights.head(), w.outHidden, rows, w.logits, null);
        return w.logits;
    }
}
