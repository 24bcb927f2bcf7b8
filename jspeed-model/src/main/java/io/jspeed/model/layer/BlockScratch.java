package io.jspeed.model.layer;

import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;

/**
 * Temporaries that blocks use during one forward or backward and do not keep: shared by all blocks of a model
 * for one (batch, seqLen), so their size does not grow with depth.
 */
public final class BlockScratch {
    final float[] norm;      // [N, C] a norm's output, recomputed in backward instead of saved
    final float[] proj;      // [N, C] a projection before its residual add
    // [N, F] the MLP activation (GELU or SwiGLU output), recomputed in backward; once the down projection's weight
    // gradient has read it, backward reuses it for d(pre-activation) (GELU's d(fc), SwiGLU's d(gate))
    final float[] act;
    final float[] dAct;      // [N, F]
    final float[] dUp;       // [N, F] SwiGLU only
    final float[] dNorm;     // [N, C]
    final float[] dAttn;     // [N, qWidth]
    // [N, qkvWidth]: the attention half of backward runs after the MLP half is done with dAct, so both share storage
    final float[] dQkv;

    public BlockScratch(ModelSpec spec, int batch, int seqLen) {
        int n = batch * seqLen, c = spec.dModel(), f = spec.dFf();
        norm = new float[n * c];
        proj = new float[n * c];
        act = new float[n * f];
        dAct = new float[n * Math.max(f, spec.qkvWidth())];
        dUp = new float[spec.family().mlp() == Family.Mlp.SWIGLU ? n * f : 0];
        dNorm = new float[n * c];
        dAttn = new float[n * spec.qWidth()];
        dQkv = dAct;
    }
}
