package io.jspeed.infer.runtime;

import java.util.Arrays;

/** Keys and values as int8 with one absmax scale per (position, KV head): a quarter of fp32's memory. */
final class Int8KvCache extends KvCache {

    private final byte[][] keys, values;
    private final float[][] keyScales, valueScales;

    Int8KvCache(int layers, int kvHeads, int headDim, int maxLength) {
        super(Precision.INT8, layers, kvHeads, headDim, maxLength);
        keys = new byte[layers][0];
        values = new byte[layers][0];
        keyScales = new float[layers][0];
        valueScales = new float[layers][0];
    }

    @Override
    protected void grow(int n) {
        resize(keys, n * kvWidth);
        resize(values, n * kvWidth);
        resize(keyScales, n * kvHeads);
        resize(valueScales, n * kvHeads);
    }

    @Override
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        for (int h = 0; h < kvHeads; h++) {
            quantize(k, kOff + h * headDim, keys[layer], pos * kvWidth + h * headDim, keyScales[layer], pos * kvHeads + h);
            quantize(v, vOff + h * headDim, values[layer], pos * kvWidth + h * headDim, valueScales[layer], pos * kvHeads + h);
        }
    }

    private void quantize(float[] x, int off, byte[] dst, int dOff, float[] scales, int sOff) {
        float amax = 0f;
        for (int i = 0; i < headDim; i++) amax = Math.max(amax, Math.abs(x[off + i]));
        float scale = amax / 127f, inv = amax == 0f ? 0f : 127f / amax;
        scales[sOff] = scale;
        for (int i = 0; i < headDim; i++) dst[dOff + i] = (byte) Math.round(x[off + i] * inv);
    }

    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, int group, float scale,
                       float[] out, int outOff, float[] scores) {
        for (int g = 0; g < group; g++) attendOne(layer, kvHead, length, q, qOff + g * headDim, scale, out, outOff + g * headDim);
    }

    /** One query head, one pass with a running maximum (online softmax): these formats trade speed for memory anyway. */
    private void attendOne(int layer, int kvHead, int length, float[] q, int qOff, float scale, float[] out, int outOff) {
        byte[] kk = keys[layer], vv = values[layer];
        float[] ks = keyScales[layer], vs = valueScales[layer];
        int d = headDim;
        Arrays.fill(out, outOff, outOff + d, 0f);
        float max = Float.NEGATIVE_INFINITY, sum = 0f;
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            float s = 0f;
            for (int i = 0; i < d; i++) s += q[qOff + i] * kk[base + i];
            s *= scale * ks[t * kvHeads + kvHead];
            if (s > max) {
                float c = (float) Math.exp(max - s);
                sum *= c;
                Fp32KvCache.scale(out, outOff, d, c);
                max = s;
            }
            float w = (float) Math.exp(s - max);
            sum += w;
            float wv = w * vs[t * kvHeads + kvHead];
            for (int i = 0; i < d; i++) out[outOff + i] += wv * vv[base + i];
        }
        Fp32KvCache.scale(out, outOff, d, 1f / sum);
    }
}
