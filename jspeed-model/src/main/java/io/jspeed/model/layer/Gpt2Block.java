package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.tensor.kernel.AttentionShape;
import io.jspeed.tensor.kernel.FlashAttention;
import io.jspeed.tensor.kernel.Gelu;
import io.jspeed.tensor.kernel.LayerNorm;
import io.jspeed.tensor.kernel.Strided;
import io.jspeed.tensor.kernel.Vectors;

import java.util.Arrays;

/**
 * GPT-2 block: x2 = x + proj(attn(ln_1(x))); out = x2 + c_proj(gelu(c_fc(ln_2(x2)))).
 * Weights keep Hugging Face's Conv1D layout [in, out] and names, so checkpoints load in transformers as they are.
 * Backward recomputes the two LayerNorm outputs and the GELU output rather than saving them.
 */
public final class Gpt2Block implements DecoderBlock {

    private final ModelSpec spec;
    private final Parallel pool;
    /** Every product of the block's linear layers: fp32, or bf16 operands with fp32 accumulation. */
    private final MatmulEngine mm;
    private final ParamBlock params;
    private final int ln1W, ln1B, qkvW, qkvB, projW, projB, ln2W, ln2B, fcW, fcB, fcProjW, fcProjB;

    public Gpt2Block(ModelSpec spec, int layer, Parallel pool, MatmulEngine mm) {
        this.mm = mm;
        this.spec = spec;
        this.pool = pool;
        int c = spec.dModel(), f = spec.dFf();
        String p = "transformer.h." + layer + ".";
        params = new ParamBlock.Builder(p.substring(0, p.length() - 1))
                .addOnes(p + "ln_1.weight", c).add(p + "ln_1.bias", false, c)
                .add(p + "attn.c_attn.weight", true, c, 3 * c).add(p + "attn.c_attn.bias", false, 3 * c)
                .add(p + "attn.c_proj.weight", true, c, c).add(p + "attn.c_proj.bias", false, c)
                .addOnes(p + "ln_2.weight", c).add(p + "ln_2.bias", false, c)
                .add(p + "mlp.c_fc.weight", true, c, f).add(p + "mlp.c_fc.bias", false, f)
                .add(p + "mlp.c_proj.weight", true, f, c).add(p + "mlp.c_proj.bias", false, c)
                .build();
        ln1W = params.offset(p + "ln_1.weight");
        ln1B = params.offset(p + "ln_1.bias");
        qkvW = params.offset(p + "attn.c_attn.weight");
        qkvB = params.offset(p + "attn.c_attn.bias");
        projW = params.offset(p + "attn.c_proj.weight");
        projB = params.offset(p + "attn.c_proj.bias");
        ln2W = params.offset(p + "ln_2.weight");
        ln2B = params.offset(p + "ln_2.bias");
        fcW = params.offset(p + "mlp.c_fc.weight");
        fcB = params.offset(p + "mlp.c_fc.bias");
        fcProjW = params.offset(p + "mlp.c_proj.weight");
        fcProjB = params.offset(p + "mlp.c_proj.bias");
    }

    @Override
    public ParamBlock params() {
        return params;
    }

    @Override
    public BoundBlock bind(int batch, int seqLen, BlockScratch s, BlockActivations saved) {
        return new Bound(batch, seqLen, s, saved);
    }

    private final class Bound implements BoundBlock {
        final int n, c, f;
        final AttentionShape shape;
        final BlockScratch s;
        final float[] mean1, rstd1, qkv, attn, lse, x2, mean2, rstd2, fc;
        final Strided q, k, v, out, dq, dk, dv, dOut;

        Bound(int batch, int seqLen, BlockScratch s, BlockActivations saved) {
            this.s = s;
            n = batch * seqLen;
            c = spec.dModel();
            f = spec.dFf();
            shape = new AttentionShape(batch, seqLen, spec.nHead(), spec.nHead(), spec.headDim());
            mean1 = saved.mean1;
            rstd1 = saved.rstd1;
            qkv = saved.qkv;
            attn = saved.attn;
            lse = saved.lse;
            x2 = saved.x2;
            mean2 = saved.mean2;
            rstd2 = saved.rstd2;
            fc = saved.mlpIn;
            q = new Strided(qkv, 0, 3 * c);
            k = q.shift(c);
            v = q.shift(2 * c);
            out = new Strided(attn, 0, c);
            dq = new Strided(s.dQkv, 0, 3 * c);
            dk = dq.shift(c);
            dv = dq.shift(2 * c);
            dOut = new Strided(s.dAttn, 0, c);
        }

        @Override
        public void forward(float[] xIn, float[] xOut) {
            float[] w = params.values();
            LayerNorm.forward(pool, s.norm, 0, mean1, rstd1, 0, xIn, 0, w, ln1W, w, ln1B, n, c, spec.normEps());
            Linear.forward(mm, pool, qkv, 0, s.norm, 0, w, qkvW, w, qkvB, n, c, 3 * c, WeightLayout.IN_OUT);
            FlashAttention.forward(pool, shape, q, k, v, out, lse);
            Linear.forward(mm, pool, s.proj, 0, attn, 0, w, projW, w, projB, n, c, c, WeightLayout.IN_OUT);
            Vectors.add(pool, x2, 0, xIn, 0, s.proj, 0, n * c);
            LayerNorm.forward(pool, s.norm, 0, mean2, rstd2, 0, x2, 0, w, ln2W, w, ln2B, n, c, spec.normEps());
            Linear.forward(mm, pool, fc, 0, s.norm, 0, w, fcW, w, fcB, n, c, f, WeightLayout.IN_OUT);
            Gelu.forward(pool, s.act, 0, fc, 0, n * f);
            Linear.forward(mm, pool, s.proj, 0, s.act, 0, w, fcProjW, w, fcProjB, n, f, c, WeightLayout.IN_OUT);
            Vectors.add(pool, xOut, 0, x2, 0, s.proj, 0, n * c);
        }

        @Override
        public void backward(float[] xIn, float[] dResid) {
            float[] w = params.values(), g = params.grads();
            // MLP branch: dResid holds d(out) = d(x2) through the skip connection.
            Gelu.forward(pool, s.act, 0, fc, 0, n * f);
            Linear.backward(mm, pool, s.dAct, 0, false, g, fcProjW, g, fcProjB, dResid, 0, s.act, 0, w, fcProjW, n, f, c, WeightLayout.IN_OUT);
            Arrays.fill(s.act, 0, n * f, 0f);
            Gelu.backward(pool, s.act, 0, s.dAct, 0, fc, 0, n * f);
            LayerNorm.forward(pool, s.norm, 0, mean2, rstd2, 0, x2, 0, w, ln2W, w, ln2B, n, c, spec.normEps());
            Linear.backward(mm, pool, s.dNorm, 0, false, g, fcW, g, fcB, s.act, 0, s.norm, 0, w, fcW, n, c, f, WeightLayout.IN_OUT);
            LayerNorm.backward(pool, dResid, 0, g, ln2W, g, ln2B, s.dNorm, 0, x2, 0, w, ln2W, mean2, rstd2, 0, n, c);
            // Attention branch: dResid now holds d(x2).
            Linear.backward(mm, pool, s.dAttn, 0, false, g, projW, g, projB, dResid, 0, attn, 0, w, projW, n, c, c, WeightLayout.IN_OUT);
            Arrays.fill(s.dQkv, 0, n * 3 * c, 0f);
            FlashAttention.backward(pool, shape, q, k, v, out, lse, dOut, dq, dk, dv);
            LayerNorm.forward(pool, s.norm, 0, mean1, rstd1, 0, xIn, 0, w, ln1W, w, ln1B, n, c, spec.normEps());
            Linear.backward(mm, pool, s.dNorm, 0, false, g, qkvW, g, qkvB, s.dQkv, 0, s.norm, 0, w, qkvW, n, c, 3 * c, WeightLayout.IN_OUT);
            LayerNorm.backward(pool, dResid, 0, g, ln1W, g, ln1B, s.dNorm, 0, xIn, 0, w, ln1W, mean1, rstd1, 0, n, c);
        }
    }
}
