package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;

/**
 * Temporaries that blocks use during one forward or backward and do not keep: shared by all blocks of a model
 * for one (batch, seqLen), so their size does not grow with depth.
 */
public final class BlockScratch {
    final float[] norm;      // [N, C] a norm's output, recomputed in backward instead of saved
    final float[] proj;      // [N, C] a projection before its residual add
    // [N, F] the MLP activation (GELU or SwiGLU output), recomputed in backward; once the down projection's weight
    // gradient has read it, backward reuses it for d(pre-activation) (GPT-2's dfc, Llama's dgate)
    final float[] act;
    final float[] dAct;      // [N, F]
    final float[] dUp;       // [N, F] Llama only
    final float[] dNorm;     // [N, C]
    final float[] dAttn;     // [N, C]
    // [N, qkvWidth]: the attention half of backward runs after the MLP half is done with dAct, so both share storage
    final float[] dQkv;

    public BlockScratch(ModelSpec spec, int batch, int seqLen) {
        int n = batch * seqLen, c = spec.dModel(), f = spec.dFf();
        norm = new float[n * c];
        proj = new float[n * c];
        act = new float[n * f];
        dAct = new float[n * Math.max(f, spec.qkvWidth())];
        dUp = spec.architecture() == ModelSpec.Architecture.LLAMA ? new float[n * f] : new float[0];
        dNorm = new float[n * c];
        dAttn = new float[n * spec.nHead() * spec.headDim()];
        dQkv = dAct;
    }
}
