package io.jspeed.model.layer;

import io.jspeed.model.Family;
import io.jspeed.model.HfNames;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AttentionShape;
import io.jspeed.tensor.kernel.FlashAttention;
import io.jspeed.tensor.kernel.Strided;
import io.jspeed.tensor.kernel.Vectors;
import io.jspeed.tensor.matmul.MatmulEngine;

import java.util.Arrays;

/**
 * One transformer block, the same code for every family:
 * x2 = x + attnOut(attention(positions(qkv(attnNorm(x))))); out = x2 + mlpOut(mlp(mlpNorm(x2))).
 * The family's choices (norm, MLP, which projections carry biases, RoPE or not, Hugging Face names and weight layout)
 * are read once, here, into the layers the block holds. The q, k and v weights are adjacent in the flat buffer, so
 * one GEMM computes packed q|k|v rows; attention is grouped-query when there are fewer key/value heads. Backward
 * recomputes the two norm outputs and the MLP activation rather than saving them.
 */
public final class DecoderBlock {

    private final Parallel pool;
    private final int c, qHeads, kvHeads, headDim, qWidth, kvWidth, qkvWidth;
    private final ParamBlock params;
    private final Positions positions;
    private final Norm attnNorm, mlpNorm;
    private final Projection qkv, attnOut, mlpOut;
    private final Mlp mlp;

    /**
     * @param positions the model's positions, shared by all blocks (RoPE rotates q and k here; a learned table does
     *                  nothing here)
     * @param mm        every product of the block's linear layers: fp32, or bf16 operands with fp32 accumulation
     */
    public DecoderBlock(ModelSpec spec, int layer, Positions positions, Parallel pool, MatmulEngine mm) {
        this.pool = pool;
        this.positions = positions;
        Family f = spec.family();
        HfNames names = f.names();
        WeightLayout layout = names.layout();
        c = spec.dModel();
        qHeads = spec.nHead();
        kvHeads = spec.nKvHead();
        headDim = spec.headDim();
        qWidth = spec.qWidth();
        kvWidth = spec.kvWidth();
        qkvWidth = spec.qkvWidth();
        int ff = spec.dFf();
        String p = names.layers() + "." + layer + ".";
        ParamBlock.Builder b = new ParamBlock.Builder(names.layers() + "." + layer);
        attnNorm = Norm.add(f.norm(), b, p + names.attnNorm(), c, spec.normEps(), pool);
        int[] qkvOuts = names.qkv().size() == 1 ? new int[]{qkvWidth} : new int[]{qWidth, kvWidth, kvWidth};
        qkv = Projection.addPacked(b, names.qkv().stream().map(n -> p + n).toList(), qkvOuts, c, f.qkvBias(), layout, mm, pool);
        attnOut = Projection.add(b, p + names.attnOut(), qWidth, c, f.outputBiases(), layout, mm, pool);
        mlpNorm = Norm.add(f.norm(), b, p + names.mlpNorm(), c, spec.normEps(), pool);
        mlp = Mlp.add(f.mlp(), b, p, names.mlpIn(), c, ff, f.outputBiases(), layout, mm, pool);
        mlpOut = Projection.add(b, p + names.mlpOut(), ff, c, f.outputBiases(), layout, mm, pool);
        params = b.build();
    }

    public ParamBlock params() {
        return params;
    }

    /**
     * Binds this block to one (batch, seqLen): its forward saves into {@code saved} (its own, or one set shared by
     * every block under activation checkpointing) and both passes use the shared {@code scratch}.
     */
    public Bound bind(int batch, int seqLen, BlockScratch scratch, BlockActivations saved) {
        return new Bound(new AttentionShape(batch, seqLen, qHeads, kvHeads, headDim), scratch, saved);
    }

    /** This block with its saved activations for one shape: forward saves what backward needs. */
    public final class Bound {
        private final int n, seqLen;
        private final AttentionShape shape;
        private final BlockScratch s;
        private final BlockActivations a;
        private final Strided q, k, v, out, dq, dk, dv, dOut;

        private Bound(AttentionShape shape, BlockScratch s, BlockActivations a) {
            this.shape = shape;
            this.s = s;
            this.a = a;
            seqLen = shape.seqLen();
            n = shape.batch() * seqLen;
            q = new Strided(a.qkv, 0, qkvWidth);
            k = q.shift(qWidth);
            v = q.shift(qWidth + kvWidth);
            out = new Strided(a.attn, 0, qWidth);
            dq = new Strided(s.dQkv, 0, qkvWidth);
            dk = dq.shift(qWidth);
            dv = dq.shift(qWidth + kvWidth);
            dOut = new Strided(s.dAttn, 0, qWidth);
        }

        /** xOut = block(xIn); both [batch·seqLen, d_model]. */
        public void forward(float[] xIn, float[] xOut) {
            float[] w = params.values();
            attnNorm.forward(s.norm, a.mean1, a.rstd1, xIn, w, n);
            qkv.forward(a.qkv, s.norm, w, n);
            positions.rotate(a.qkv, n, seqLen, false);
            FlashAttention.forward(pool, shape, q, k, v, out, a.lse);
            attnOut.forward(s.proj, a.attn, w, n);
            Vectors.add(pool, a.x2, 0, xIn, 0, s.proj, 0, n * c);
            mlpNorm.forward(s.norm, a.mean2, a.rstd2, a.x2, w, n);
            mlp.forward(s.act, s.norm, a, w, n);
            mlpOut.forward(s.proj, s.act, w, n);
            Vectors.add(pool, xOut, 0, a.x2, 0, s.proj, 0, n * c);
        }

        /**
         * On entry dResid holds dLoss/dxOut; on return dLoss/dxIn. Parameter gradients accumulate. Reads what the
         * latest forward of this block saved, so with shared activations that forward must come right before.
         */
        public void backward(float[] xIn, float[] dResid) {
            float[] w = params.values(), g = params.grads();
            // MLP half: dResid holds d(out), which is d(x2) through the skip connection.
            mlp.activate(s.act, a, n);
            mlpOut.backward(s.dAct, false, g, dResid, s.act, w, n);
            mlpNorm.forward(s.norm, a.mean2, a.rstd2, a.x2, w, n);
            mlp.backward(s.dNorm, g, s.norm, w, a, s, n);
            mlpNorm.backward(dResid, g, s.dNorm, a.x2, w, a.mean2, a.rstd2, n);
            // Attention half: dResid now holds d(x2).
            attnOut.backward(s.dAttn, false, g, dResid, a.attn, w, n);
            Arrays.fill(s.dQkv, 0, n * qkvWidth, 0f);
            FlashAttention.backward(pool, shape, q, k, v, out, a.lse, dOut, dq, dk, dv);
            // RoPE is a rotation, so its backward is the inverse rotation of the gradient.
            positions.rotate(s.dQkv, n, seqLen, true);
            attnNorm.forward(s.norm, a.mean1, a.rstd1, xIn, w, n);
            qkv.backward(s.dNorm, false, g, s.dQkv, s.norm, w, n);
            attnNorm.backward(dResid, g, s.dNorm, xIn, w, a.mean1, a.rstd1, n);
        }
    }
}
