package io.jspeed.infer.runtime;

import java.util.Arrays;

/** Keys and values rounded to bf16 (half the memory of fp32, about 3 significant digits). */
final class Bf16KvCache extends KvCache {

    private final short[][] keys, values;

    Bf16KvCache(int layers, int kvHeads, int headDim, int maxLength) {
        super(layers, kvHeads, headDim, maxLength);
        keys = new short[layers][0];
        values = new short[layers][0];
    }

    @Override
    public Precision precision() {
        return Precision.BF16;
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
        short[] kk = keys[layer], vv = values[layer];
        int base = pos * kvWidth;
        for (int i = 0; i < kvWidth; i++) {
            kk[base + i] = toBf16(k[kOff + i]);
            vv[base + i] = toBf16(v[vOff + i]);
        }
    }

    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, int group, float scale,
                       float[] out, int outOff, float[] scores) {
        for (int g = 0; g < group; g++) attendOne(layer, kvHead, length, q, qOff + g * headDim, scale, out, outOff + g * headDim);
    }

    /** One query head, one pass with a running maximum (online softmax): these formats trade speed for memory anyway. */
    private void attendOne(int layer, int kvHead, int length, float[] q, int qOff, float scale, float[] out, int outOff) {
        short[] kk = keys[layer], vv = values[layer];
        int d = headDim;
        Arrays.fill(out, outOff, outOff + d, 0f);
        float max = Float.NEGATIVE_INFINITY, sum = 0f;
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            float s = 0f;
            for (int i = 0; i < d; i++) s += q[qOff + i] * Float.intBitsToFloat(kk[base + i] << 16);
            s *= scale;
            if (s > max) {
                float c = (float) Math.exp(max - s);
                sum *= c;
                Fp32KvCache.scale(out, outOff, d, c);
                max = s;
            }
            float w = (float) Math.exp(s - max);
            sum += w;
            for (int i = 0; i < d; i++) out[outOff + i] += w * Float.intBitsToFloat(vv[base + i] << 16);
        }
        Fp32KvCache.scale(out, outOff, d, 1f / sum);
    }

    /** Round to nearest even, as hardware bf16 conversion does. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
