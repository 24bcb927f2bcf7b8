package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The attention kernel jspeed trained with before {@link FlashAttention}, kept only as the benchmark's reference
 * (it lives in the kernel package to reuse the package-private TileProduct and Simd; the launcher runs on the class
 * path, so the split package is fine). Causal multi-head self-attention with grouped-query heads, scale 1/sqrt(headDim). q, k and v are read through
 * (offset, row stride) so a packed qkv buffer needs no copy. The softmax probabilities may be saved for the
 * backward, or (probs == null) recomputed there head by head: O(T) instead of O(T^2) saved memory per layer for
 * one extra q k^T and softmax per head, bitwise the same probabilities either way.
 */
public final class SavedProbabilityAttention {

    private SavedProbabilityAttention() {}

    /**
     * out [batch*seqLen, qHeads*headDim] = softmax(q k^T / sqrt(headDim), causal) v per head; query head h reads
     * kv head h / (qHeads/kvHeads). If probs is not null, probs [batch, qHeads, seqLen, seqLen] is fully written
     * (zeros above the diagonal).
     */
    public static void forward(Parallel p, float[] out, int outOff, float[] probs, int probsOff,
                               float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                               float[] v, int vOff, int vStride,
                               int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        int group = groupSize(qHeads, kvHeads);
        int outStride = qHeads * headDim, rowsPerBlock = TileProduct.BLOCK_ROWS;
        int padded = transposedRowLength(seqLen);
        int units = batch * qHeads;
        p.forChunks(units, Math.min(units, 4 * p.threads()), (u0, u1) -> {
            // K of the current kv head transposed to [headDim, padded], so a score row is a vector AXPY over keys;
            // columns past seqLen stay zero
            float[] kt = new float[headDim * padded];
            float[] scores = new float[rowsPerBlock * padded];
            float[] headProbs = probs != null ? probs : new float[seqLen * seqLen];
            int loadedKv = -1;
            for (int u = u0; u < u1; u++) {
                int b = u / qHeads, h = u % qHeads, kh = h / group;
                int kBase = kOff + b * seqLen * kStride + kh * headDim;
                int vBase = vOff + b * seqLen * vStride + kh * headDim;
                if (loadedKv != b * kvHeads + kh) {
                    transpose(k, kBase, kStride, seqLen, headDim, kt, padded);
                    loadedKv = b * kvHeads + kh;
                }
                int unitProbs = probs != null ? probsOff + u * seqLen * seqLen : 0;
                probabilities(q, qOff + b * seqLen * qStride + h * headDim, qStride, kt, padded, scores,
                        headProbs, unitProbs, seqLen, headDim);
                for (int t0 = 0; t0 < seqLen; t0 += rowsPerBlock) {
                    int m = Math.min(rowsPerBlock, seqLen - t0);
                    TileProduct.block(m, headDim, 0, t0 + m, headProbs, unitProbs + t0 * seqLen, seqLen, 1, v, vBase, vStride,
                        out, outOff + (b * seqLen + t0) * outStride + h * headDim, outStride, false);
                }
            }
        });
    }

    /**
     * P [seqLen, seqLen] at probs[pOff] = causal softmax of one head's scaled scores; kt is that head's K transposed.
     * The one place probabilities are computed, so forward and backward's recomputation agree bit for bit.
     */
    private static void probabilities(float[] q, int qBase, int qStride, float[] kt, int padded, float[] scores,
                                      float[] probs, int pOff, int seqLen, int headDim) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int rowsPerBlock = TileProduct.BLOCK_ROWS;
        for (int t0 = 0; t0 < seqLen; t0 += rowsPerBlock) {
            int m = Math.min(rowsPerBlock, seqLen - t0);
            // causal: this block of queries sees keys [0, t0 + m) only
            int keys = roundUpToVector(t0 + m);
            TileProduct.block(m, keys, 0, headDim, q, qBase + t0 * qStride, qStride, 1, kt, 0, padded, scores, 0, padded, false);
            for (int j = 0; j < m; j++) {
                int t = t0 + j, po = pOff + t * seqLen, n = t + 1;
                softmaxRow(scores, j * padded, n, scale, probs, po);
                Simd.fill(probs, po + n, seqLen - n, 0f);
            }
        }
    }

    /**
     * Accumulates dq, dk and dv (+=). probs is what forward saved (its zeros above the diagonal are read), or null
     * to recompute each head's probabilities from q and k.
     * Runs one task per (batch, kv head) so the query heads sharing a kv head add into dk/dv on one thread.
     */
    public static void backward(Parallel p, float[] dq, int dqOff, int dqStride, float[] dk, int dkOff, int dkStride,
                                float[] dv, int dvOff, int dvStride, float[] dOut, int dOutOff, float[] probs, int probsOff,
                                float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                                float[] v, int vOff, int vStride,
                                int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        int group = groupSize(qHeads, kvHeads);
        int outStride = qHeads * headDim, rowsPerBlock = TileProduct.BLOCK_ROWS, T = seqLen;
        int padded = transposedRowLength(T);
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int units = batch * kvHeads;
        p.forChunks(units, Math.min(units, 4 * p.threads()), (u0, u1) -> {
            float[] vt = new float[headDim * padded];
            float[] dp = new float[rowsPerBlock * padded];
            // dS as a full [T, T] matrix; entries above the diagonal are never written, so they stay zero across
            // heads and units (as P's do) and the products may run over whole row blocks
            float[] ds = new float[T * T];
            float[] kt = probs == null ? new float[headDim * padded] : null;
            float[] scores = probs == null ? new float[rowsPerBlock * padded] : null;
            float[] pr = probs != null ? probs : new float[T * T];
            for (int u = u0; u < u1; u++) {
                int b = u / kvHeads, kh = u % kvHeads;
                int kBase = kOff + b * T * kStride + kh * headDim;
                int vBase = vOff + b * T * vStride + kh * headDim;
                int dkBase = dkOff + b * T * dkStride + kh * headDim;
                int dvBase = dvOff + b * T * dvStride + kh * headDim;
                transpose(v, vBase, vStride, T, headDim, vt, padded);
                if (probs == null) transpose(k, kBase, kStride, T, headDim, kt, padded);
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    int qBase = qOff + b * T * qStride + h * headDim;
                    int pBase = probs != null ? probsOff + (b * qHeads + h) * T * T : 0;
                    if (probs == null) probabilities(q, qBase, qStride, kt, padded, scores, pr, 0, T, headDim);
                    int gBase = dOutOff + b * T * outStride + h * headDim;
                    int dqBase = dqOff + b * T * dqStride + h * headDim;
                    for (int t0 = 0; t0 < T; t0 += rowsPerBlock) {
                        int m = Math.min(rowsPerBlock, T - t0);
                        // dP = dOut V^T over the unmasked keys
                        TileProduct.block(m, roundUpToVector(t0 + m), 0, headDim, dOut, gBase + t0 * outStride, outStride, 1,
                            vt, 0, padded, dp, 0, padded, false);
                        for (int j = 0; j < m; j++) {
                            int t = t0 + j, row = pBase + t * T, n = t + 1;
                            // softmax backward: dS = P * (dP - sum(P * dP)), with the score scale folded in
                            softmaxBackward(pr, row, dp, j * padded, scale, ds, t * T, n);
                        }
                    }
                    for (int t0 = 0; t0 < T; t0 += rowsPerBlock) {
                        int m = Math.min(rowsPerBlock, T - t0);
                        // dQ += dS K over keys [0, t0 + m)
                        TileProduct.block(m, headDim, 0, t0 + m, ds, t0 * T, T, 1, k, kBase, kStride,
                            dq, dqBase + t0 * dqStride, dqStride, true);
                        // for key rows s in [t0, t0 + m): dK += dS^T Q and dV += P^T dOut over queries [t0, T),
                        // reading dS and P transposed (column s) instead of materializing the transposes
                        TileProduct.block(m, headDim, t0, T, ds, t0, 1, T, q, qBase, qStride,
                            dk, dkBase + t0 * dkStride, dkStride, true);
                        TileProduct.block(m, headDim, t0, T, pr, pBase + t0, 1, T, dOut, gBase, outStride,
                            dv, dvBase + t0 * dvStride, dvStride, true);
                    }
                }
            }
        });
    }

    /**
     * p[po, po + n) = softmax of the first n raw scores times scale (scale > 0 commutes with max). The scores row
     * holds whole computed vectors past n, so the last partial vector runs vectorized with its lanes past n
     * masked off, rather than through a scalar exp tail that would cost as much as the rest of a short row.
     * Overwrites the scores with their exponentials.
     */
    private static void softmaxRow(float[] s, int so, int n, float scale, float[] p, int po) {
        // max by compare and blend, and exp called from here directly: FloatVector.max (Math.max rules) is a
        // long dependent sequence, and each extra helper level risks C2's inlining depth limit, past which
        // vectors are boxed
        int full = F.loopBound(n), end = full < n ? full + L : full;
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, s, so + i);
            VectorMask<Float> greater = vmax.compare(VectorOperators.LT, x).and(F.indexInRange(i, n));
            vmax = vmax.blend(x, greater);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        FloatVector vscale = FloatVector.broadcast(F, scale), vshift = FloatVector.broadcast(F, -max * scale);
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < end; i += L) {
            FloatVector e = Simd.exp(FloatVector.fromArray(F, s, so + i).fma(vscale, vshift)).blend(0f, F.indexInRange(i, n).not());
            e.intoArray(s, so + i);
            acc = acc.add(e);
        }
        FloatVector inv = FloatVector.broadcast(F, 1f / Simd.sumLanes(acc));
        for (int i = 0; i < full; i += L) FloatVector.fromArray(F, s, so + i).mul(inv).intoArray(p, po + i);
        if (full < n) FloatVector.fromArray(F, s, so + full).mul(inv).intoArray(p, po + full, F.indexInRange(full, n));
    }

    /**
     * ds[i] = p[i] * (dp[i] - pdp) * scale for i < n, with pdp = sum of p[i] * dp[i]. The last partial vector
     * runs masked (dp holds whole computed vectors past n) rather than through scalar tails.
     */
    private static void softmaxBackward(float[] p, int po, float[] dp, int dpo, float scale, float[] ds, int dso, int n) {
        int full = F.loopBound(n);
        VectorMask<Float> tail = F.indexInRange(full, n);
        FloatVector acc = FloatVector.zero(F);
        for (int i = 0; i < full; i += L) {
            acc = FloatVector.fromArray(F, p, po + i).fma(FloatVector.fromArray(F, dp, dpo + i), acc);
        }
        if (full < n) acc = FloatVector.fromArray(F, p, po + full, tail).fma(FloatVector.fromArray(F, dp, dpo + full), acc);
        FloatVector vpdp = FloatVector.broadcast(F, Simd.sumLanes(acc));
        for (int i = 0; i < full; i += L) {
            FloatVector.fromArray(F, p, po + i).mul(FloatVector.fromArray(F, dp, dpo + i).sub(vpdp)).mul(scale)
                .intoArray(ds, dso + i);
        }
        if (full < n) {
            FloatVector.fromArray(F, p, po + full, tail).mul(FloatVector.fromArray(F, dp, dpo + full).sub(vpdp)).mul(scale)
                .intoArray(ds, dso + full, tail);
        }
    }

    /** dst[i * ld + s] = src[base + s * stride + i] for s < rows, i < cols. */
    private static void transpose(float[] src, int base, int stride, int rows, int cols, float[] dst, int ld) {
        for (int s = 0; s < rows; s++) {
            int row = base + s * stride;
            for (int i = 0; i < cols; i++) dst[i * ld + s] = src[row + i];
        }
    }

    /**
     * Row length of the transposed K/V scratch: whole vectors, plus one extra vector when that would make the
     * row a multiple of 1 KiB, whose power-of-two stride maps the transpose's writes onto a few L1 sets.
     */
    private static int transposedRowLength(int seqLen) {
        int n = roundUpToVector(seqLen);
        return n % 256 == 0 ? n + L : n;
    }

    private static int roundUpToVector(int n) {
        return (n + L - 1) / L * L;
    }

    private static int groupSize(int qHeads, int kvHeads) {
        if (kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("qHeads " + qHeads + " must be a positive multiple of kvHeads " + kvHeads);
        }
        return qHeads / kvHeads;
    }
}
