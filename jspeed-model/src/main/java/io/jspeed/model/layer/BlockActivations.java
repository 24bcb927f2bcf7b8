package io.jspeed.model.layer;

import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;

/**
 * What a block's forward saves for its backward, for one (batch, seqLen). Each block normally owns one; with
 * activation checkpointing every block shares a single instance, and a block's backward runs right after its
 * forward has been recomputed into it. Attention saves only its per-row log-sum-exp, so all of this is O(seqLen).
 * Fields that only one kind of norm or MLP uses are empty arrays for the other, as in {@link BlockScratch}.
 */
public final class BlockActivations {
    final float[] mean1, rstd1;   // [N] attention norm statistics (mean1: LayerNorm only)
    final float[] qkv;            // [N, qkvWidth] packed q | k | v (after RoPE, if the family rotates)
    final float[] attn;           // [N, qWidth] attention output, before the output projection
    final float[] lse;            // [batch, qHeads, seqLen] attention log-sum-exp per query row
    final float[] x2;             // [N, C] residual stream between the attention and MLP halves
    final float[] mean2, rstd2;   // [N] MLP norm statistics
    final float[] mlpIn;          // [N, F] GELU's c_fc output, SwiGLU's gate projection
    final float[] mlpUp;          // [N, F] SwiGLU's up projection

    public BlockActivations(ModelSpec spec, int batch, int seqLen) {
        int n = batch * seqLen, c = spec.dModel(), f = spec.dFf();
        Family family = spec.family();
        mean1 = Norm.meanBuffer(family.norm(), n);
        rstd1 = new float[n];
        qkv = new float[n * spec.qkvWidth()];
        attn = new float[n * spec.qWidth()];
        lse = new float[batch * spec.nHead() * seqLen];
        x2 = new float[n * c];
        mean2 = Norm.meanBuffer(family.norm(), n);
        rstd2 = new float[n];
        mlpIn = new float[n * f];
        mlpUp = new float[family.mlp() == Family.Mlp.SWIGLU ? n * f : 0];
    }
}
