package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;

/**
 * Causal multi-head self-attention with grouped-query heads, scale 1/sqrt(headDim). q, k and v are read through
 * (offset, row stride) so a packed qkv buffer needs no copy; the softmax probabilities are saved for the backward.
 */
public final class Attention {

    private Attention() {}

    /**
     * out [batch*seqLen, qHeads*headDim] = softmax(q k^T / sqrt(headDim), causal) v per head; query head h reads
     * kv head h / (qHeads/kvHeads). probs [batch, qHeads, seqLen, seqLen] is fully written (zeros above the diagonal).
     */
    public static void forward(Parallel p, float[] out, int outOff, float[] probs, int probsOff,
                               float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                               float[] v, int vOff, int vStride,
                               int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        int group = groupSize(qHeads, kvHeads);
        int outStride = qHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int units = batch * qHeads;
        p.forChunks(units, units, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int b = u / qHeads, h = u % qHeads, kh = h / group;
                int kBase = kOff + b * seqLen * kStride + kh * headDim;
                int vBase = vOff + b * seqLen * vStride + kh * headDim;
                for (int t = 0; t < seqLen; t++) {
                    int qo = qOff + (b * seqLen + t) * qStride + h * headDim;
                    int po = probsOff + (u * seqLen + t) * seqLen;
                    int n = t + 1;  // causal: keys 0..t only
                    for (int s = 0; s < n; s++) probs[po + s] = Simd.dot(q, qo, k, kBase + s * kStride, headDim) * scale;
                    float max = Simd.max(probs, po, n);
                    float sum = Simd.expInPlace(probs, po, n, max);
                    Simd.scale(probs, po, n, 1f / sum);
                    Simd.fill(probs, po + n, seqLen - n, 0f);
                    int oo = outOff + (b * seqLen + t) * outStride + h * headDim;
                    Simd.fill(out, oo, headDim, 0f);
                    for (int s = 0; s < n; s++) Simd.axpy(probs[po + s], v, vBase + s * vStride, out, oo, headDim);
                }
            }
        });
    }

    /**
     * Accumulates dq, dk and dv (+=). Runs one task per (batch, kv head) so the query heads sharing a kv head
     * add into dk/dv on one thread.
     */
    public static void backward(Parallel p, float[] dq, int dqOff, int dqStride, float[] dk, int dkOff, int dkStride,
                                float[] dv, int dvOff, int dvStride, float[] dOut, int dOutOff, float[] probs, int probsOff,
                                float[] q, int qOff, int qStride, float[] k, int kOff, int kStride,
                                float[] v, int vOff, int vStride,
                                int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        int group = groupSize(qHeads, kvHeads);
        int outStride = qHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int units = batch * kvHeads;
        p.forChunks(units, units, (u0, u1) -> {
            float[] dp = new float[seqLen];
            for (int u = u0; u < u1; u++) {
                int b = u / kvHeads, kh = u % kvHeads;
                int kBase = kOff + b * seqLen * kStride + kh * headDim;
                int vBase = vOff + b * seqLen * vStride + kh * headDim;
                int dkBase = dkOff + b * seqLen * dkStride + kh * headDim;
                int dvBase = dvOff + b * seqLen * dvStride + kh * headDim;
                for (int h = kh * group; h < (kh + 1) * group; h++) {
                    for (int t = 0; t < seqLen; t++) {
                        int row = b * seqLen + t;
                        int qo = qOff + row * qStride + h * headDim;
                        int dqo = dqOff + row * dqStride + h * headDim;
                        int go = dOutOff + row * outStride + h * headDim;
                        int po = probsOff + ((b * qHeads + h) * seqLen + t) * seqLen;
                        int n = t + 1;
                        // dP = dOut v^T, dV += P^T dOut; softmax backward: dS = P * (dP - sum(P * dP))
                        float pdp = 0f;
                        for (int s = 0; s < n; s++) {
                            float ps = probs[po + s];
                            float d = Simd.dot(dOut, go, v, vBase + s * vStride, headDim);
                            dp[s] = d;
                            pdp += ps * d;
                            Simd.axpy(ps, dOut, go, dv, dvBase + s * dvStride, headDim);
                        }
                        for (int s = 0; s < n; s++) {
                            float ds = probs[po + s] * (dp[s] - pdp) * scale;
                            Simd.axpy(ds, k, kBase + s * kStride, dq, dqo, headDim);
                            Simd.axpy(ds, q, qo, dk, dkBase + s * dkStride, headDim);
                        }
                    }
                }
            }
        });
    }

    private static int groupSize(int qHeads, int kvHeads) {
        if (kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("qHeads " + qHeads + " must be a positive multiple of kvHeads " + kvHeads);
        }
        return qHeads / kvHeads;
    }
}
