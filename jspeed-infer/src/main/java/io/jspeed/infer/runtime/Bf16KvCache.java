package io.jspeed.infer.runtime;

import io.jspeed.tensor.BF16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/** Keys and values rounded to bf16 (half the memory of fp32, about 3 significant digits). */
final class Bf16KvCache extends KvCache {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many bf16 lanes as F has floats: widened with S2I, then shifted into the upper half of each float. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private final short[][] keys, values;

    Bf16KvCache(int layers, int kvHeads, int headDim, int maxLength) {
        super(Precision.BF16, layers, kvHeads, headDim, maxLength);
        keys = new short[layers][0];
        values = new short[layers][0];
    }

    @Override
    protected void grow(int n) {
        resize(keys, n * kvWidth);
        resize(values, n * kvWidth);
    }

    @Override
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        short[] kk = keys[layer], vv = values[layer];
        int base = pos * kvWidth;
        for (int i = 0; i < kvWidth; i++) {
            kk[base + i] = BF16.fromFloat(k[kOff + i]);
            vv[base + i] = BF16.fromFloat(v[vOff + i]);
        }
    }

    private static FloatVector load(short[] a, int i) {
        return ((IntVector) ShortVector.fromArray(S, a, i).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The fp32 cache's three passes (scores for the group, vectorized exp, weighted values) over bf16 rows. */
    @Override
    public void attend(int layer, int kvHead, int length, float[] q, int qOff, int group, float scale,
                       float[] out, int outOff, float[] scores) {
        short[] kk = keys[layer], vv = values[layer];
        int d = headDim, bound = F.loopBound(d);
        for (int t = 0, base = kvHead * d; t < length; t++, base += kvWidth) {
            for (int g = 0; g < group; g++) {
                int qo = qOff + g * d;
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (; i < bound; i += F.length()) acc = FloatVector.fromArray(F, q, qo + i).fma(load(kk, base + i), acc);
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (; i < d; i++) s += q[qo + i] * Float.intBitsToFloat(kk[base + i] << 16);
                scores[g * length + t] = s * scale;
            }
        }
        Fp32KvCache.softmaxRows(scores, group, length);
        Arrays.fill(out, outOff, outOff + group * d, 0f);
        for (int u = 0, base = kvHead * d; u < length; u++, base += kvWidth) {
            for (int g = 0; g < group; g++) {
                int oo = outOff + g * d;
                float w = scores[g * length + u];
                FloatVector vw = FloatVector.broadcast(F, w);
                int i = 0;
                for (; i < bound; i += F.length())
                    load(vv, base + i).fma(vw, FloatVector.fromArray(F, out, oo + i)).intoArray(out, oo + i);
                for (; i < d; i++) out[oo + i] += w * Float.intBitsToFloat(vv[base + i] << 16);
            }
        }
    }
}
