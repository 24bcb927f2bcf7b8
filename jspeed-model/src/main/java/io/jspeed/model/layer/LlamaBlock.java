package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Attention;
import io.jspeed.tensor.kernel.Rope;
import io.jspeed.tensor.kernel.RmsNorm;
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
    private final Rope rope;
    private final ParamBlock params;
    private final int norm1W, qkvW, oW, norm2W, gateW, upW, downW;

    public LlamaBlock(ModelSpec spec, int layer, Rope rope, Parallel pool) {
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
    public BoundBlock bind(int batch, int seqLen, BlockScratch s, boolean saveAttentionProbs) {
        return new Bound(batch, seqLen, s, saveAttentionProbs);
    }

    private final class Bound implements BoundBlock {
        final int batch, seqLen, n, c, f, qHeads, kvHeads, headDim, qkvWidth, qWidth, kvWidth;
        final BlockScratch s;
        final float[] rstd1, qkv, attn, probs, x2, rstd2, gate, up;

        Bound(int batch, int seqLen, BlockScratch s, boolean saveAttentionProbs) {
            this.batch = batch;
            this.seqLen = seqLen;
            this.s = s;
            n = batch * seqLen;
            c = spec.dModel();
            f = spec.dFf();
            qHeads = spec.nHead();
            kvHeads = spec.nKvHead();
            headDim = spec.headDim();
            qkvWidth = spec.qkvWidth();
            qWidth = qHeads * headDim;
            kvWidth = kvHeads * headDim;
            rstd1 = new float[n];
            qkv = new float[n * qkvWidth];
            attn = new float[n * qWidth];
            probs = saveAttentionProbs ? new float[batch * qHeads * seqLen * seqLen] : null;
            x2 = new float[n * c];
            rstd2 = new float[n];
            gate = new float[n * f];
            up = new float[n * f];
        }

        @Override
        public void forward(float[] xIn, float[] xOut) {
            float[] w = params.values();
            RmsNorm.forward(pool, s.norm, 0, rstd1, 0, xIn, 0, w, norm1W, n, c, spec.normEps());
            Linear.forward(pool, qkv, 0, s.norm, 0, w, qkvW, null, 0, n, c, qkvWidth, WeightLayout.OUT_IN);
            rope.rotate(pool, qkv, 0, qkvWidth, n, seqLen, qHeads, false);
            rope.rotate(pool, qkv, qWidth, qkvWidth, n, seqLen, kvHeads, false);
            Attention.forward(pool, attn, 0, probs, 0, qkv, 0, qkvWidth, qkv, qWidth, qkvWidth, qkv, qWidth + kvWidth, qkvWidth,
                    batch, seqLen, qHeads, kvHeads, headDim);
            Linear.forward(pool, s.proj, 0, attn, 0, w, oW, null, 0, n, qWidth, c, WeightLayout.OUT_IN);
            Vectors.add(pool, x2, 0, xIn, 0, s.proj, 0, n * c);
            RmsNorm.forward(pool, s.norm, 0, rstd2, 0, x2, 0, w, norm2W, n, c, spec.normEps());
            Linear.forward(pool, gate, 0, s.norm, 0, w, gateW, null, 0, n, c, f, WeightLayout.OUT_IN);
            Linear.forward(pool, up, 0, s.norm, 0, w, upW, null, 0, n, c, f, WeightLayout.OUT_IN);
            SwiGlu.forward(pool, s.act, 0, gate, 0, up, 0, n * f);
            Linear.forward(pool, s.proj, 0, s.act, 0, w, downW, null, 0, n, f, c, WeightLayout.OUT_IN);
            Vectors.add(pool, xOut, 0, x2, 0, s.proj, 0, n * c);
        }

        @Override
        public void backward(float[] xIn, float[] dResid) {
            float[] w = params.values(), g = params.grads();
            SwiGlu.forward(pool, s.act, 0, gate, 0, up, 0, n * f);
            Linear.backward(pool, s.dAct, 0, false, g, downW, null, 0, dResid, 0, s.act, 0, w, downW, n, f, c, WeightLayout.OUT_IN);
            Arrays.fill(s.act, 0, n * f, 0f);
            Arrays.fill(s.dUp, 0, n * f, 0f);
            SwiGlu.backward(pool, s.act, 0, s.dUp, 0, s.dAct, 0, gate, 0, up, 0, n * f);
            RmsNorm.forward(pool, s.norm, 0, rstd2, 0, x2, 0, w, norm2W, n, c, spec.normEps());
            Linear.backward(pool, s.dNorm, 0, false, g, gateW, null, 0, s.act, 0, s.norm, 0, w, gateW, n, c, f, WeightLayout.OUT_IN);
            Linear.backward(pool, s.dNorm, 0, true, g, upW, null, 0, s.dUp, 0, s.norm, 0, w, upW, n, c, f, WeightLayout.OUT_IN);
            RmsNorm.backward(pool, dResid, 0, g, norm2W, s.dNorm, 0, x2, 0, w, norm2W, rstd2, 0, n, c);

            Linear.backward(pool, s.dAttn, 0, false, g, oW, null, 0, dResid, 0, attn, 0, w, oW, n, qWidth, c, WeightLayout.OUT_IN);
            Arrays.fill(s.dQkv, 0, n * qkvWidth, 0f);
            Attention.backward(pool, s.dQkv, 0, qkvWidth, s.dQkv, qWidth, qkvWidth, s.dQkv, qWidth + kvWidth, qkvWidth,
                    s.dAttn, 0, probs, 0, qkv, 0, qkvWidth, qkv, qWidth, qkvWidth, qkv, qWidth + kvWidth, qkvWidth,
                    batch, seqLen, qHeads, kvHeads, headDim);
            // RoPE is a rotation, so its backward is the inverse rotation of the gradient.
            rope.rotate(pool, s.dQkv, 0, qkvWidth, n, seqLen, qHeads, true);
            rope.rotate(pool, s.dQkv, qWidth, qkvWidth, n, seqLen, kvHeads, true);
            RmsNorm.forward(pool, s.norm, 0, rstd1, 0, xIn, 0, w, norm1W, n, c, spec.normEps());
            Linear.backward(pool, s.dNorm, 0, false, g, qkvW, null, 0, s.dQkv, 0, s.norm, 0, w, qkvW, n, c, qkvWidth, WeightLayout.OUT_IN);
            RmsNorm.backward(pool, dResid, 0, g, norm1W, s.dNorm, 0, xIn, 0, w, norm1W, rstd1, 0, n, c);
        }
    }
}
