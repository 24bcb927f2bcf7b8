package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.tensor.kernel.AttentionShape;
import io.jspeed.tensor.kernel.FlashAttention;
import io.jspeed.tensor.kernel.Rope;
import io.jspeed.tensor.kernel.RmsNorm;
import io.jspeed.tensor.kernel.Strided;
import io.jspeed.tensor.kernel.SwiGlu;
import io.jspeed.tensor.kernel.Vectors;

import java.util.Arrays;

/**
 * Llama block: x2 = x + o_proj(attn(rope(q,k), v) of input_layernorm(x)); out = x2 + down(silu(gate(h)) * up(h))
 * with h = post_attention_layernorm(x2). Grouped-query attention; weights [out, in] as torch.nn.Linear.
 * q_proj, k_proj and v_proj are adjacent in the flat buffer, so together they are one [(Hq+2Hkv)·D, C] matrix and
 * one GEMM computes the packed q|k|v rows.
 */
public final class LlamaBlock implements DecoderBlock {

    private final ModelSpec spec;
    private final Parallel pool;
    /** Every product of the block's linear layers: fp32, or bf16 operands with fp32 accumulation. */
    private final MatmulEngine mm;
    private final Rope rope;
    private final ParamBlock params;
    private final int norm1W, qkvW, oW, norm2W, gateW, upW, downW;

    public LlamaBlock(ModelSpec spec, int layer, Rope rope, Parallel pool, MatmulEngine mm) {
        this.mm = mm;
        this.spec = spec;
        this.pool = pool;
        this.rope = rope;
        int c = spec.dModel(), f = spec.dFf(), d = spec.headDim();
        String p = "model.layers." + layer + ".";
        params = new ParamBlock.Builder(p.substring(0, p.length() - 1))
                .addOnes(p + "input_layernorm.weight", c)
                .add(p + "self_attn.q_proj.weight", true, spec.nHead() * d, c)
                .add(p + "self_attn.k_proj.weight", true, spec.nKvHead() * d, c)
                .add(p + "self_attn.v_proj.weight", true, spec.nKvHead() * d, c)
                .add(p + "self_attn.o_proj.weight", true, c, spec.nHead() * d)
                .addOnes(p + "post_attention_layernorm.weight", c)
                .add(p + "mlp.gate_proj.weight", true, f, c)
                .add(p + "mlp.up_proj.weight", true, f, c)
                .add(p + "mlp.down_proj.weight", true, c, f)
                .build();
        norm1W = params.offset(p + "input_layernorm.weight");
        qkvW = params.offset(p + "self_attn.q_proj.weight");
        oW = params.offset(p + "self_attn.o_proj.weight");
        norm2W = params.offset(p + "post_attention_layernorm.weight");
        gateW = params.offset(p + "mlp.gate_proj.weight");
        upW = params.offset(p + "mlp.up_proj.weight");
        downW = params.offset(p + "mlp.down_proj.weight");
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
        final int n, c, f, seqLen, qHeads, kvHeads, qkvWidth, qWidth;
        final AttentionShape shape;
        final BlockScratch s;
        final float[] rstd1, qkv, attn, lse, x2, rstd2, gate, up;
        final Strided q, k, v, out, dq, dk, dv, dOut;

        Bound(int batch, int seqLen, BlockScratch s, BlockActivations saved) {
            this.seqLen = seqLen;
            this.s = s;
            n = batch * seqLen;
            c = spec.dModel();
            f = spec.dFf();
            qHeads = spec.nHead();
            kvHeads = spec.nKvHead();
            qkvWidth = spec.qkvWidth();
            qWidth = qHeads * spec.headDim();
            int kvWidth = kvHeads * spec.headDim();
            shape = new AttentionShape(batch, seqLen, qHeads, kvHeads, spec.headDim());
            rstd1 = saved.rstd1;
            qkv = saved.qkv;
            attn = saved.attn;
            lse = saved.lse;
            x2 = saved.x2;
            rstd2 = saved.rstd2;
            gate = saved.mlpIn;
            up = saved.mlpUp;
            q = new Strided(qkv, 0, qkvWidth);
            k = q.shift(qWidth);
            v = q.shift(qWidth + kvWidth);
            out = new Strided(attn, 0, qWidth);
            dq = new Strided(s.dQkv, 0, qkvWidth);
            dk = dq.shift(qWidth);
            dv = dq.shift(qWidth + kvWidth);
            dOut = new Strided(s.dAttn, 0, qWidth);
        }

        @Override
        public void forward(float[] xIn, float[] xOut) {
            float[] w = params.values();
            RmsNorm.forward(pool, s.norm, 0, rstd1, 0, xIn, 0, w, norm1W, n, c, spec.normEps());
            Linear.forward(mm, pool, qkv, 0, s.norm, 0, w, qkvW, null, 0, n, c, qkvWidth, WeightLayout.OUT_IN);
            rope.rotate(pool, qkv, 0, qkvWidth, n, seqLen, qHeads, false);
            rope.rotate(pool, qkv, qWidth, qkvWidth, n, seqLen, kvHeads, false);
            FlashAttention.forward(pool, shape, q, k, v, out, lse);
            Linear.forward(mm, pool, s.proj, 0, attn, 0, w, oW, null, 0, n, qWidth, c, WeightLayout.OUT_IN);
            Vectors.add(pool, x2, 0, xIn, 0, s.proj, 0, n * c);
            RmsNorm.forward(pool, s.norm, 0, rstd2, 0, x2, 0, w, norm2W, n, c, spec.normEps());
            Linear.forward(mm, pool, gate, 0, s.norm, 0, w, gateW, null, 0, n, c, f, WeightLayout.OUT_IN);
            Linear.forward(mm, pool, up, 0, s.norm, 0, w, upW, null, 0, n, c, f, WeightLayout.OUT_IN);
            SwiGlu.forward(pool, s.act, 0, gate, 0, up, 0, n * f);
            Linear.forward(mm, pool, s.proj, 0, s.act, 0, w, downW, null, 0, n, f, c, WeightLayout.OUT_IN);
            Vectors.add(pool, xOut, 0, x2, 0, s.proj, 0, n * c);
        }

        @Override
        public void backward(float[] xIn, float[] dResid) {
            float[] w = params.values(), g = params.grads();
            SwiGlu.forward(pool, s.act, 0, gate, 0, up, 0, n * f);
            Linear.backward(mm, pool, s.dAct, 0, false, g, downW, null, 0, dResid, 0, s.act, 0, w, downW, n, f, c, WeightLayout.OUT_IN);
            Arrays.fill(s.act, 0, n * f, 0f);
            Arrays.fill(s.dUp, 0, n * f, 0f);
            SwiGlu.backward(pool, s.act, 0, s.dUp, 0, s.dAct, 0, gate, 0, up, 0, n * f);
            RmsNorm.forward(pool, s.norm, 0, rstd2, 0, x2, 0, w, norm2W, n, c, spec.normEps());
            Linear.backward(mm, pool, s.dNorm, 0, false, g, gateW, null, 0, s.act, 0, s.norm, 0, w, gateW, n, c, f, WeightLayout.OUT_IN);
            Linear.backward(mm, pool, s.dNorm, 0, true, g, upW, null, 0, s.dUp, 0, s.norm, 0, w, upW, n, c, f, WeightLayout.OUT_IN);
            RmsNorm.backward(pool, dResid, 0, g, norm2W, s.dNorm, 0, x2, 0, w, norm2W, rstd2, 0, n, c);

            Linear.backward(mm, pool, s.dAttn, 0, false, g, oW, null, 0, dResid, 0, attn, 0, w, oW, n, qWidth, c, WeightLayout.OUT_IN);
            Arrays.fill(s.dQkv, 0, n * qkvWidth, 0f);
            FlashAttention.backward(pool, shape, q, k, v, out, lse, dOut, dq, dk, dv);
            // RoPE is a rotation, so its backward is the inverse rotation of the gradient.
            rope.rotate(pool, s.dQkv, 0, qkvWidth, n, seqLen, qHeads, true);
            rope.rotate(pool, s.dQkv, qWidth, qkvWidth, n, seqLen, kvHeads, true);
            RmsNorm.forward(pool, s.norm, 0, rstd1, 0, xIn, 0, w, norm1W, n, c, spec.normEps());
            Linear.backward(mm, pool, s.dNorm, 0, false, g, qkvW, null, 0, s.dQkv, 0, s.norm, 0, w, qkvW, n, c, qkvWidth, WeightLayout.OUT_IN);
            RmsNorm.backward(pool, dResid, 0, g, norm1W, s.dNorm, 0, xIn, 0, w, norm1W, rstd1, 0, n, c);
        }
    }
}
