package io.jspeed.infer.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/** Keys and values as fp32: exact, the default. */
final class Fp32KvCache extends KvCache {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final float[][] keys, values;

    Fp32KvCache(int layers, int kvHeads, int headDim, int maxLength) {
        super(Precision.FP32, layers, kvHeads, headDim, maxLength);
        keys = new float[layers][0];
        values = new float[layers][0];
    }

    @Override
    protected void grow(int n) {
        resize(keys, n * kvWidth);
        resize(values, n * kvWidth);
    }

    @Override
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        System.arraycopy(k, kOff, keys[layer], pos * kvWidth, kvWidth);
        System.arraycopy(v, vOff, values[layer], pos * kvWidth, kvWidth);
    }

    /**
     * Three passes over the cache: scores q_g·k_t for the whole group while k_t is in L1, their exponentials
     * (vectorized, once each head's maximum is known), then the weighted values, again the group per v_t. Cheaper than
     * an online softmax's scalar exp and rescaling per position, and GQA reads each key and value once.
     */
    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, int group, float scale,
                       float[] out, int outOff, float[] scores) {
        float[] kk = keys[layer], vv = values[layer];
        int d = headDim, bound = F.loopBound(d);
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            for (int g = 0; g < group; g++) {
                int qo = qOff + g * d;
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (; i < bound; i += F.length()) acc = FloatVector.fromArray(F, q, qo + i).fma(FloatVector.fromArray(F, kk, base + i), acc);
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (; i < d; i++) s += q[qo + i] * kk[base + i];
                scores[g * length + t] = s * scale;
            }
        }
        softmaxRows(scores, group, length);
        Arrays.fill(out, outOff, outOff + group * d, 0f);
        for (int u = 0, base = kvHead * d; u < length; u++, base += kvWidth) {
            for (int g = 0; g < group; g++) {
                int oo = outOff + g * d;
                FloatVector vw = FloatVector.broadcast(F, scores[g * length + u]);
                int i = 0;
                for (; i < bound; i += F.length())
                    FloatVector.fromArray(F, vv, base + i).fma(vw, FloatVector.fromArray(F, out, oo + i)).intoArray(out, oo + i);
                for (; i < d; i++) out[oo + i] += scores[g * length + u] * vv[base + i];
            }
        }
    }

    /** Each of {@code rows} rows of {@code length} scores becomes its softmax (vectorized exp after the row maximum). */
    static void softmaxRows(float[] scores, int rows, int length) {
        for (int g = 0; g < rows; g++) {
            int so = g * length;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < length; t++) max = Math.max(max, scores[so + t]);
            FloatVector vmax = FloatVector.broadcast(F, max), vsum = FloatVector.zero(F);
            int t = 0;
            for (int tb = F.loopBound(length); t < tb; t += F.length()) {
                FloatVector e = FloatVector.fromArray(F, scores, so + t).sub(vmax).lanewise(VectorOperators.EXP);
                e.intoArray(scores, so + t);
                vsum = vsum.add(e);
            }
            float sum = vsum.reduceLanes(VectorOperators.ADD);
            for (; t < length; t++) sum += scores[so + t] = (float) Math.exp(scores[so + t] - max);
            // normalised here so the value pass is a plain weighted sum
            float inv = 1f / sum;
            for (t = 0; t < length; t++) scores[so + t] *= inv;
        }
    }

    static void scale(float[] x, int off, int n, float c) {
        for (int i = 0; i < n; i++) x[off + i] *= c;
    }
}
