package io.jspeed.model;

import io.jspeed.model.layer.BlockActivations;
import io.jspeed.model.layer.BlockScratch;
import io.jspeed.model.layer.DecoderBlock;
import io.jspeed.model.layer.Linear;
import io.jspeed.model.layer.Norm;
import io.jspeed.model.layer.Positions;
import io.jspeed.model.layer.WeightLayout;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamSchedule;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.tensor.kernel.CrossEntropy;
import io.jspeed.tensor.kernel.Embedding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder-only language model of any {@link Family} as a list of parameter blocks: embeddings, the transformer
 * blocks, and the final norm with the LM head. A step reads top to bottom: embed, blocks, norm, head + cross-entropy,
 * then the same in reverse for gradients. The family's choices become the parts built here (how positions are
 * encoded, which norm, where the head's matrix lives), so the step itself never asks which family it runs.
 * Parameter names follow Hugging Face.
 */
public final class TransformerLM {

    private final ModelSpec spec;
    private final Parallel pool;
    private final MatmulEngine mm;
    private final ParamBlock embed;
    private final Positions positions;
    private final List<DecoderBlock> blocks = new ArrayList<>();
    private final ParamBlock head;
    private final Norm finalNorm;
    private final HeadMatrix headMatrix;
    private final Map<Long, Workspace> workspaces = new HashMap<>();
    private ParamSchedule schedule = ParamSchedule.RESIDENT;
    private boolean checkpointActivations;

    /** Positions per LM-head chunk: bounds the logits buffer at HEAD_ROWS·vocab floats. */
    private static final int HEAD_ROWS = 256;

    /** Token embeddings start the embeddings block. */
    private static final int TOKEN_TABLE = 0;

    /**
     * The LM head's [vocab, C] matrix and the block that stores it: its own tensor after the final norm, or (tied)
     * the token embeddings, which a use of the head then holds as well.
     */
    private record HeadMatrix(ParamBlock block, int offset) {}

    public TransformerLM(ModelSpec spec, Parallel pool) {
        this(spec, pool, Linear.fp32());
    }

    /** With every linear layer's products (and the LM head's) computed by {@code mm}. */
    public TransformerLM(ModelSpec spec, Parallel pool, MatmulEngine mm) {
        this.mm = mm;
        this.spec = spec;
        this.pool = pool;
        Family family = spec.family();
        HfNames names = family.names();
        int v = spec.vocabSize(), c = spec.dModel();
        // Each parameter block is named after its first module; block names only appear in messages.
        ParamBlock.Builder embeddings = new ParamBlock.Builder(names.tokenEmbedding())
                .add(names.tokenEmbedding() + ".weight", true, v, c);
        positions = Positions.add(spec, embeddings, pool);
        embed = embeddings.build();
        for (int l = 0; l < spec.nLayer(); l++) blocks.add(new DecoderBlock(spec, l, positions, pool, mm));
        ParamBlock.Builder normAndHead = new ParamBlock.Builder(names.finalNorm());
        finalNorm = Norm.add(family.norm(), normAndHead, names.finalNorm(), c, spec.normEps(), pool);
        int ownHead = normAndHead.size();
        if (!family.tiedHead()) normAndHead.add(names.lmHead() + ".weight", true, v, c);
        head = normAndHead.build();
        headMatrix = family.tiedHead() ? new HeadMatrix(embed, TOKEN_TABLE) : new HeadMatrix(head, ownHead);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** Embeddings, then each transformer block, then the final norm and head: the order ZeRO-3 will gather by. */
    public List<ParamBlock> paramBlocks() {
        List<ParamBlock> all = new ArrayList<>();
        all.add(embed);
        for (DecoderBlock b : blocks) all.add(b.params());
        all.add(head);
        return all;
    }

    /**
     * Who owns parameter storage: every use of a block is bracketed by schedule.acquire/release (ZeRO-3 gathers
     * there, ZeRO-2 reduces finished gradients). Set once, by the data-parallel engine; resident by default.
     */
    public void useSchedule(ParamSchedule schedule) {
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    }

    public long parameterCount() {
        return paramBlocks().stream().mapToLong(ParamBlock::size).sum();
    }

    /**
     * GPT-2 initialisation: N(0, 0.02) for matrices and embeddings, residual output projections scaled by
     * 1/sqrt(2·n_layer), biases 0, norm weights 1. Deterministic in the seed; each block draws from its own
     * stream, so one block can be initialised alone ({@link #initializeBlock}) with the same values.
     */
    public void initialize(long seed) {
        List<ParamBlock> all = paramBlocks();
        for (int i = 0; i < all.size(); i++) initializeBlock(i, seed, all.get(i).values());
    }

    /** Writes block i's initial values (as {@link #initialize} would) into dst, a buffer of the block's layout. */
    public void initializeBlock(int blockIndex, long seed, float[] dst) {
        List<ParamBlock> all = paramBlocks();
        SplittableRandom root = new SplittableRandom(seed), random = root.split();
        for (int i = 0; i < blockIndex; i++) random = root.split();
        double residualStd = 0.02 / Math.sqrt(2.0 * spec.nLayer());
        HfNames names = spec.family().names();
        for (ParamView view : all.get(blockIndex).views()) {
            int from = view.offset(), to = view.offset() + view.size();
            switch (view.init()) {
                case ZEROS -> Arrays.fill(dst, from, to, 0f);
                case ONES -> Arrays.fill(dst, from, to, 1f);
                case RANDOM -> {
                    String n = view.name();
                    boolean residual = n.endsWith(names.attnOut() + ".weight") || n.endsWith(names.mlpOut() + ".weight");
                    double std = residual ? residualStd : 0.02;
                    for (int i = from; i < to; i++) dst[i] = (float) (random.nextGaussian() * std);
                }
            }
        }
    }

    /**
     * Activation checkpointing: forward keeps only each block's input (the residual stream at block boundaries)
     * and one set of saved activations shared by all blocks; backward recomputes each block's forward into it
     * right before that block's backward. Costs one more forward per step, gives bitwise the same results.
     */
    public void setActivationCheckpointing(boolean on) {
        if (on != checkpointActivations) workspaces.clear();
        checkpointActivations = on;
    }

    public boolean activationCheckpointing() {
        return checkpointActivations;
    }

    public void zeroGrads() {
        for (ParamBlock b : paramBlocks()) b.zeroGrads();
    }

    /**
     * Forward and backward of the summed cross-entropy over batch·seqLen positions; gradients (scaled by
     * gradScale, e.g. 1/(positions·accumulation steps)) are added to every block's grads.
     * @return the sum of per-position losses (unscaled)
     */
    public double forwardBackward(int[] tokens, int[] targets, int batch, int seqLen, float gradScale) {
        Workspace ws = workspace(batch, seqLen);
        forwardHidden(ws, tokens);
        acquireHead(true);
        finalNorm(ws);
        double loss = head(ws, targets, gradScale, true);
        backwardFinalNorm(ws);
        schedule.release(head, true);
        backwardHidden(ws, tokens);
        return loss;
    }

    /** Summed cross-entropy without gradients (evaluation). */
    public double loss(int[] tokens, int[] targets, int batch, int seqLen) {
        Workspace ws = workspace(batch, seqLen);
        forwardHidden(ws, tokens);
        acquireHead(false);
        finalNorm(ws);
        double loss = head(ws, targets, 0f, false);
        releaseHead();
        return loss;
    }

    /** Logits [batch·seqLen, vocab] of a forward pass. */
    public float[] logits(int[] tokens, int batch, int seqLen) {
        Workspace ws = workspace(batch, seqLen);
        forwardHidden(ws, tokens);
        acquireHead(false);
        finalNorm(ws);
        float[] out = new float[ws.n * spec.vocabSize()];
        for (int r0 = 0; r0 < ws.n; r0 += HEAD_ROWS) {
            int rows = Math.min(HEAD_ROWS, ws.n - r0);
            headLogits(ws, r0, rows);
            System.arraycopy(ws.logits, 0, out, r0 * spec.vocabSize(), rows * spec.vocabSize());
        }
        releaseHead();
        return out;
    }

    private Workspace workspace(int batch, int seqLen) {
        if (seqLen > spec.maxSeqLen())
            throw new IllegalArgumentException("sequence length " + seqLen + " exceeds the model's seq_len " + spec.maxSeqLen());
        return workspaces.computeIfAbsent(((long) batch << 32) | seqLen, k -> new Workspace(batch, seqLen));
    }

    /** Frees activation buffers (e.g. those of evaluation or generation shapes). */
    public void releaseActivations() {
        workspaces.clear();
    }

    /** Embeddings and blocks: leaves the last hidden states in ws.resid[nLayer]. */
    private void forwardHidden(Workspace ws, int[] tokens) {
        int c = spec.dModel(), v = spec.vocabSize();
        schedule.acquire(embed, false);
        float[] e = embed.values();
        Embedding.forward(pool, ws.resid[0], 0, tokens, 0, ws.n, e, TOKEN_TABLE, c, v);
        positions.embed(ws.resid[0], e, ws.n, ws.seqLen);
        schedule.release(embed, false);
        for (int l = 0; l < blocks.size(); l++) {
            ParamBlock p = blocks.get(l).params();
            schedule.acquire(p, false);
            ws.bound[l].forward(ws.resid[l], ws.resid[l + 1]);
            schedule.release(p, false);
        }
    }

    /** The head reads the final norm's block and, when its matrix lives elsewhere (tied), that block too. */
    private void acquireHead(boolean withGrads) {
        schedule.acquire(head, withGrads);
        if (headMatrix.block() != head) schedule.acquire(headMatrix.block(), withGrads);
    }

    /** After a forward-only use of the head. */
    private void releaseHead() {
        if (headMatrix.block() != head) schedule.release(headMatrix.block(), false);
        schedule.release(head, false);
    }

    /** The final norm of the last hidden states into ws.finalNorm. */
    private void finalNorm(Workspace ws) {
        finalNorm.forward(ws.finalNorm, ws.finalMean, ws.finalRstd, ws.resid[blocks.size()], head.values(), ws.n);
    }

    /** Logits of rows [r0, r0+rows) into ws.logits. */
    private void headLogits(Workspace ws, int r0, int rows) {
        int c = spec.dModel();
        Linear.forward(mm, pool, ws.logits, 0, ws.finalNorm, r0 * c, headMatrix.block().values(), headMatrix.offset(), null, 0, rows, c,
                spec.vocabSize(), WeightLayout.OUT_IN);
    }

    /**
     * LM head and cross-entropy, HEAD_ROWS positions at a time so the [positions, vocab] logits never exist
     * whole (206 MB for GPT-2 124M at 4x256). With backward, each chunk's dlogits immediately become its
     * rows of d(final norm) and its share of the head weight gradient.
     */
    private double head(Workspace ws, int[] targets, float gradScale, boolean backward) {
        int c = spec.dModel(), v = spec.vocabSize();
        float[] w = headMatrix.block().values(), g = headMatrix.block().grads();
        double loss = 0;
        for (int r0 = 0; r0 < ws.n; r0 += HEAD_ROWS) {
            int rows = Math.min(HEAD_ROWS, ws.n - r0);
            headLogits(ws, r0, rows);
            if (!backward) {
                loss += CrossEntropy.loss(pool, ws.logits, 0, rows, v, targets, r0);
                continue;
            }
            loss += CrossEntropy.forwardBackward(pool, ws.logits, 0, rows, v, targets, r0, gradScale);
            Linear.backward(mm, pool, ws.dFinalNorm, r0 * c, false, g, headMatrix.offset(), null, 0, ws.logits, 0, ws.finalNorm, r0 * c,
                    w, headMatrix.offset(), rows, c, v, WeightLayout.OUT_IN);
        }
        return loss;
    }

    /** Expects ws.dFinalNorm to hold dLoss/d(final norm output); leaves dLoss/d(last hidden) in ws.dResid. */
    private void backwardFinalNorm(Workspace ws) {
        Arrays.fill(ws.dResid, 0f);
        finalNorm.backward(ws.dResid, head.grads(), ws.dFinalNorm, ws.resid[blocks.size()], head.values(), ws.finalMean, ws.finalRstd, ws.n);
    }

    /**
     * Blocks in reverse, then the embeddings (a tied head has held them, with gradients, since its backward). With
     * checkpointing, a block is recomputed into the shared activations (rewriting resid[l + 1] with the same bits, no
     * longer needed) right before its backward, inside the same acquisition; the last block's are still there from
     * forwardHidden.
     */
    private void backwardHidden(Workspace ws, int[] tokens) {
        int c = spec.dModel();
        float[] dResid = ws.dResid;
        for (int l = blocks.size() - 1; l >= 0; l--) {
            ParamBlock p = blocks.get(l).params();
            schedule.acquire(p, true);
            if (ws.checkpointed && l < blocks.size() - 1) ws.bound[l].forward(ws.resid[l], ws.resid[l + 1]);
            ws.bound[l].backward(ws.resid[l], dResid);
            schedule.release(p, true);
        }
        if (headMatrix.block() != embed) schedule.acquire(embed, true);
        float[] ge = embed.grads();
        Embedding.backward(pool, ge, TOKEN_TABLE, dResid, 0, tokens, 0, ws.n, c);
        positions.embedBackward(ge, dResid, ws.n, ws.seqLen);
        schedule.release(embed, true);
    }

    /** Activations of one (batch, seqLen): the residual stream at each block boundary plus what blocks save. */
    private final class Workspace {
        final int seqLen, n;
        final boolean checkpointed;
        final float[][] resid;
        final DecoderBlock.Bound[] bound;
        final float[] finalNorm, finalMean, finalRstd, logits, dFinalNorm, dResid;

        Workspace(int batch, int seqLen) {
            this.seqLen = seqLen;
            this.n = batch * seqLen;
            int c = spec.dModel();
            BlockScratch scratch = new BlockScratch(spec, batch, seqLen);
            resid = new float[blocks.size() + 1][n * c];
            bound = new DecoderBlock.Bound[blocks.size()];
            checkpointed = checkpointActivations;
            BlockActivations shared = checkpointed ? new BlockActivations(spec, batch, seqLen) : null;
            for (int l = 0; l < blocks.size(); l++) {
                BlockActivations saved = checkpointed ? shared : new BlockActivations(spec, batch, seqLen);
                bound[l] = blocks.get(l).bind(batch, seqLen, scratch, saved);
            }
            finalNorm = new float[n * c];
            finalMean = Norm.meanBuffer(spec.family().norm(), n);
            finalRstd = new float[n];
            logits = new float[Math.min(n, HEAD_ROWS) * spec.vocabSize()];
            dFinalNorm = new float[n * c];
            dResid = new float[n * c];
        }
    }
}
