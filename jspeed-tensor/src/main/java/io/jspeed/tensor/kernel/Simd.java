package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized building blocks shared by the kernels: sums, max, exp, and work-size aware splitting. */
final class Simd {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();

    /** Below this many elements per chunk, handing work to another thread costs more than it saves. */
    static final int GRAIN = 8192;

    private Simd() {}

    /**
     * Splits [0, n) into up to 4 chunks per thread, handed out dynamically so a thread the OS deschedules does
     * not hold up the others, but never into chunks of fewer than {@code grain} items.
     */
    static void forRange(Parallel p, int n, int grain, Parallel.RangeBody body) {
        int chunks = Math.min(4 * p.threads(), Math.max(1, n / Math.max(1, grain)));
        p.forChunks(n, chunks, body);
    }

    /**
     * Sum of a vector's lanes in lane order. reduceLanes(ADD) leaves the order open, and the JIT's intrinsic adds
     * in a different order than the interpreted fallback, so results would depend on JIT warm-up: a resumed run
     * (cold JVM) would then not repeat the uninterrupted one bit for bit.
     */
    static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    /** y += x */
    static void addInPlace(float[] y, int yo, float[] x, int xo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, y, yo + i).add(FloatVector.fromArray(F, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    static float sum(float[] a, int ao, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) acc = acc.add(FloatVector.fromArray(F, a, ao + i));
        float s = sumLanes(acc);
        for (; i < n; i++) s += a[ao + i];
        return s;
    }

    /** Sum of (a[i] - c)^2, the variance numerator. */
    static float sumSquaredDeviation(float[] a, int ao, int n, float c) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F), vc = FloatVector.broadcast(F, c);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, a, ao + i).sub(vc);
            acc = d.fma(d, acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            float d = a[ao + i] - c;
            s += d * d;
        }
        return s;
    }

    static float max(float[] x, int o, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            // compare and blend in two chains, not FloatVector.max: its Math.max rules (NaN, -0.0) compile to
            // a long dependent sequence per vector
            FloatVector acc0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), acc1 = acc0;
            for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
                FloatVector x0 = FloatVector.fromArray(F, x, o + i), x1 = FloatVector.fromArray(F, x, o + i + L);
                acc0 = acc0.blend(x0, acc0.compare(VectorOperators.LT, x0));
                acc1 = acc1.blend(x1, acc1.compare(VectorOperators.LT, x1));
            }
            if (i <= n - L) {
                FloatVector x0 = FloatVector.fromArray(F, x, o + i);
                acc0 = acc0.blend(x0, acc0.compare(VectorOperators.LT, x0));
                i += L;
            }
            m = acc0.blend(acc1, acc0.compare(VectorOperators.LT, acc1)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[o + i]);
        return m;
    }

    /** x[i] = exp(x[i] - max); returns their sum. */
    static float expInPlace(float[] x, int o, int n, float max) {
        return exp(x, o, x, o, n, max, 1f);
    }

    /** dst[i] = exp((src[i] - max) * scale); returns their sum. */
    static float exp(float[] src, int so, float[] dst, int dso, int n, float max, float scale) {
        FloatVector vscale = FloatVector.broadcast(F, scale), vshift = FloatVector.broadcast(F, -max * scale);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector e = exp(FloatVector.fromArray(F, src, so + i).fma(vscale, vshift));
            e.intoArray(dst, dso + i);
            acc = acc.add(e);
        }
        float sum = sumLanes(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(src[so + i] * scale - max * scale);
            dst[dso + i] = e;
            sum += e;
        }
        return sum;
    }

    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2_HI = 0.693145751953125f;     // ln 2 with its low bits cleared, so n*LN2_HI is exact
    private static final float LN2_LO = 1.4286068203094172e-6f;
    private static final float ROUNDING_MAGIC = 12582912f;       // 1.5 * 2^23: adding it rounds to an integer
    private static final float EXP_MIN = -87.33f, EXP_MAX = 88.0f;

    /**
     * e^x in about 20 inlined vector instructions (the library EXP is an out-of-line call): x = n ln2 + r with |r| <= ln2/2,
     * e^r by a degree-7 Taylor polynomial (relative error < 2e-7), 2^n assembled in the exponent bits.
     * Inputs below -87.33 give 0, above 88 give e^88.
     */
    static FloatVector exp(FloatVector x) {
        // clamp by compare and blend: FloatVector.max/min carry Math.max's NaN and -0.0 rules at several
        // instructions each; a NaN input still gives NaN
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.mul(LOG2E).add(ROUNDING_MAGIC);
        FloatVector n = t.sub(ROUNDING_MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector poly = r.fma(FloatVector.broadcast(F, 1f / 5040), FloatVector.broadcast(F, 1f / 720));
        poly = poly.fma(r, FloatVector.broadcast(F, 1f / 120));
        poly = poly.fma(r, FloatVector.broadcast(F, 1f / 24));
        poly = poly.fma(r, FloatVector.broadcast(F, 1f / 6));
        poly = poly.fma(r, FloatVector.broadcast(F, 0.5f));
        poly = poly.fma(r, FloatVector.broadcast(F, 1f));
        poly = poly.fma(r, FloatVector.broadcast(F, 1f));
        // the low mantissa bits of t hold n + 2^22; turn n into the exponent field of 2^n
        IntVector scaleBits = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUNDING_MAGIC) - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = poly.mul(scaleBits.reinterpretAsFloats());
        return result.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }

    /** Sum of a[i] * b[i] in a fixed order (one FMA chain per lane, lanes summed in order, then the tail). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** dst = src * s */
    static void scaleInto(float[] src, int so, int n, float s, float[] dst, int dso) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) FloatVector.fromArray(F, src, so + i).mul(s).intoArray(dst, dso + i);
        for (; i < n; i++) dst[dso + i] = src[so + i] * s;
    }

    /** a *= s */
    static void scale(float[] a, int ao, int n, float s) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) FloatVector.fromArray(F, a, ao + i).mul(s).intoArray(a, ao + i);
        for (; i < n; i++) a[ao + i] *= s;
    }

    static void fill(float[] a, int ao, int n, float value) {
        java.util.Arrays.fill(a, ao, ao + n, value);
    }
}
