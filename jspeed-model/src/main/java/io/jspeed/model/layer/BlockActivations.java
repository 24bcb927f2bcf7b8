package io.jspeed.model.layer;

import io.jspeed.model.ModelSpec;

/**
 * What a block's forward saves for its backward, for one (batch, seqLen). Each block normally owns one; with
 * activation checkpointing every block shares a single instance, and a block's backward runs right after its
 * forward has been recomputed into it. Attention saves only its per-row log-sum-exp, so all of this is O(seqLen).
 * Fields that only one architecture uses are empty arrays for the other, as in {@link BlockScratch}.
 */
public final class BlockActivations {
    final float[] mean1, rstd1;   // [N] first norm statistics (mean1: GPT-2's LayerNorm only)
    final float[] qkv;            // [N, qkvWidth] packed q | k | v (after RoPE for Llama)
    final float[] attn;           // [N, qHeads*headDim] attention output, before the output projection
    final float[] lse;            // [batch, qHeads, seqLen] attention log-sum-exp per query row
    final float[] x2;             // [N, C] residual stream between the attention and MLP halves
    final float[] mean2, rstd2;   // [N] second norm statistics
    final float[] mlpIn;          // [N, F] GPT-2's c_fc output, Llama's gate projection
    final float[] mlpUp;          // [N, F] Llama's up projection

    public BlockActivations(ModelSpec spec, int batch, int seqLen) {
        int n = batch * seqLen, c = spec.dModel(), f = spec.dFf();
        boolean gpt2 = spec.architecture() == ModelSpec.Architecture.GPT2;
        mean1 = new float[gpt2 ? n : 0];
        rstd1 = new float[n];
        qkv = new float[n * spec.qkvWidth()];
        attn = new float[n * spec.nHead() * spec.headDim()];
        lse = new float[batch * spec.nHead() * seqLen];
        x2 = new float[n * c];
        mean2 = new float[gpt2 ? n : 0];
        rstd2 = new float[n];
        mlpIn = new float[n * f];
        mlpUp = new float[gpt2 ? 0 : n * f];
    }

}
