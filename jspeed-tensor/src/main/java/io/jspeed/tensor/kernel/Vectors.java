package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise vector operations over flat ranges (residual adds, gradient scaling and norms). */
public final class Vectors {

    /** sumOfSquares adds fixed-size blocks in order, so its result does not depend on the thread count. */
    private static final int NORM_BLOCK = 4096;

    private Vectors() {}

    /** out = a + b; out may alias a or b. */
    public static void add(Parallel p, float[] out, int outOff, float[] a, int aOff, float[] b, int bOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> {
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
            }
            for (; i < e; i++) out[outOff + i] = a[aOff + i] + b[bOff + i];
        });
    }

    /** dst += src */
    public static void addInPlace(Parallel p, float[] dst, int dstOff, float[] src, int srcOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> Simd.addInPlace(dst, dstOff + s, src, srcOff + s, e - s));
    }

    /** x *= s */
    public static void scale(Parallel p, float[] x, int off, int n, float s) {
        Simd.forRange(p, n, Simd.GRAIN, (s0, e) -> {
            int i = s0;
            for (int bound = s0 + F.loopBound(e - s0); i < bound; i += L) {
                FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
            }
            for (; i < e; i++) x[off + i] *= s;
        });
    }

    /** Sum of x[i]^2, accumulated in float within blocks and in double across blocks. */
    public static double sumOfSquares(Parallel p, float[] x, int off, int n) {
        int blocks = (n + NORM_BLOCK - 1) / NORM_BLOCK;
        double[] partial = new double[blocks];
        Simd.forRange(p, blocks, Simd.GRAIN / NORM_BLOCK, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int s = b * NORM_BLOCK, len = Math.min(NORM_BLOCK, n - s);
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (int bound = F.loopBound(len); i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(F, x, off + s + i);
                    acc = v.fma(v, acc);
                }
                double sum = Simd.sumLanes(acc);
                for (; i < len; i++) sum += (double) x[off + s + i] * x[off + s + i];
                partial[b] = sum;
            }
        });
        double total = 0;
        for (double v : partial) total += v;
        return total;
    }
}
