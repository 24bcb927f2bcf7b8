package io.jspeed.infer.runtime;

import jdk.incubator.vector.FloatVector;
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

    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, float scale, float[] out, int outOff) {
        float[] kk = keys[layer], vv = values[layer];
        int d = headDim, bound = F.loopBound(d);
        Arrays.fill(out, outOff, outOff + d, 0f);
        float max = Float.NEGATIVE_INFINITY, sum = 0f;
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i < bound; i += F.length()) acc = FloatVector.fromArray(F, q, qOff + i).fma(FloatVector.fromArray(F, kk, base + i), acc);
            float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; i < d; i++) s += q[qOff + i] * kk[base + i];
            s *= scale;
            if (s > max) {
                // a new maximum: rescale what has been summed so far to it
                float c = (float) Math.exp(max - s);
                sum *= c;
                scale(out, outOff, d, c);
                max = s;
            }
            float w = (float) Math.exp(s - max);
            sum += w;
            FloatVector vw = FloatVector.broadcast(F, w);
            i = 0;
            for (; i < bound; i += F.length())
                FloatVector.fromArray(F, vv, base + i).fma(vw, FloatVector.fromArray(F, out, outOff + i)).intoArray(out, outOff + i);
            for (; i < d; i++) out[outOff + i] += w * vv[base + i];
        }
        scale(out, outOff, d, 1f / sum);
    }

    static void scale(float[] x, int off, int n, float c) {
        for (int i = 0; i < n; i++) x[off + i] *= c;
    }
}
