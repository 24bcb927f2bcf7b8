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
        super(layers, kvHeads, headDim, maxLength);
        keys = new float[layers][0];
        values = new float[layers][0];
    }

    @Override
    public Precision precision() {
        return Precision.FP32;
    }

    @Override
    protected void grow(int n) {
        for (int l = 0; l < layers; l++) {
            keys[l] = Arrays.copyOf(keys[l], n * kvWidth);
            values[l] = Arrays.copyOf(values[l], n * kvWidth);
        }
    }

    @Override
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        System.arraycopy(k, kOff, keys[layer], pos * kvWidth, kvWidth);
        System.arraycopy(v, vOff, values[layer], pos * kvWidth, kvWidth);
    }

    /**
     * Three passes over one head: scores q·k_t, then their exponentials (vectorized, after the maximum is known), then
     * the weighted sum of values. Cheaper than an online softmax's scalar exp and rescaling per position.
     */
    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, float scale, float[] out, int outOff, float[] scores) {
        float[] kk = keys[layer], vv = values[layer];
        int d = headDim, bound = F.loopBound(d);
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i < bound; i += F.length()) acc = FloatVector.fromArray(F, q, qOff + i).fma(FloatVector.fromArray(F, kk, base + i), acc);
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < d; i++) s += q[qOff + i] * kk[base + i];
            s *= scale;
            scores[t] = s;
            max = Math.max(max, s);
        }
        float sum = 0f;
        FloatVector vmax = FloatVector.broadcast(F, max), vsum = FloatVector.zero(F);
        int t = 0;
        for (int tb = F.loopBound(length); t < tb; t += F.length()) {
            FloatVector e = FloatVector.fromArray(F, scores, t).sub(vmax).lanewise(VectorOperators.EXP);
            e.intoArray(scores, t);
            vsum = vsum.add(e);
        }
        sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; t < length; t++) sum += scores[t] = (float) Math.exp(scores[t] - max);
        Arrays.fill(out, outOff, outOff + d, 0f);
        for (int u = 0, base = kvHead * d; u < length; u++, base += kvWidth) {
            FloatVector vw = FloatVector.broadcast(F, scores[u]);
            int i = 0;
            for (; i < bound; i += F.length())
                FloatVector.fromArray(F, vv, base + i).fma(vw, FloatVector.fromArray(F, out, outOff + i)).intoArray(out, outOff + i);
            for (; i < d; i++) out[outOff + i] += scores[u] * vv[base + i];
        }
        scale(out, outOff, d, 1f / sum);
    }

    static void scale(float[] x, int off, int n, float c) {
        for (int i = 0; i < n; i++) x[off + i] *= c;
    }
}
