package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding in the Hugging Face rotate-half layout: within a head, element i pairs with
 * i + headDim/2 and rotates by pos * theta^(-2i/headDim). The backward is the rotation by the negated angle.
 */
public final class Rope {

    private final int maxSeqLen;
    private final int headDim;
    private final int half;
    private final float[] cos;
    private final float[] sin;
    private final float[] negSin;

    /** Precomputes cos/sin tables [maxSeqLen, headDim/2] in double precision. */
    public Rope(int maxSeqLen, int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0) throw new IllegalArgumentException("RoPE headDim must be even and positive, got " + headDim);
        if (maxSeqLen <= 0) throw new IllegalArgumentException("RoPE maxSeqLen must be positive, got " + maxSeqLen);
        this.maxSeqLen = maxSeqLen;
        this.headDim = headDim;
        this.half = headDim / 2;
        this.cos = new float[maxSeqLen * half];
        this.sin = new float[maxSeqLen * half];
        this.negSin = new float[maxSeqLen * half];
        for (int pos = 0; pos < maxSeqLen; pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / headDim);
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
                negSin[pos * half + i] = -sin[pos * half + i];
            }
        }
    }

    /**
     * Rotates in place every head of every row; row r has position r % seqLen and its head h starts at
     * x[off + r*rowStride + h*headDim]. inverse=true rotates by -angle (the backward).
     */
    public void rotate(Parallel p, float[] x, int off, int rowStride, int rows, int seqLen, int heads, boolean inverse) {
        if (seqLen > maxSeqLen) throw new IllegalArgumentException("RoPE seqLen " + seqLen + " exceeds maxSeqLen " + maxSeqLen);
        float[] sn = inverse ? negSin : sin;
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, heads * headDim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = (r % seqLen) * half;
                for (int h = 0; h < heads; h++) {
                    int a = off + r * rowStride + h * headDim, b = a + half;
                    int i = 0;
                    for (int bound = F.loopBound(half); i < bound; i += L) {
                        FloatVector x1 = FloatVector.fromArray(F, x, a + i), x2 = FloatVector.fromArray(F, x, b + i);
                        FloatVector c = FloatVector.fromArray(F, cos, t + i), s = FloatVector.fromArray(F, sn, t + i);
                        x1.mul(c).sub(x2.mul(s)).intoArray(x, a + i);
                        x2.mul(c).add(x1.mul(s)).intoArray(x, b + i);
                    }
                    for (; i < half; i++) {
                        float x1 = x[a + i], x2 = x[b + i], c = cos[t + i], s = sn[t + i];
                        x[a + i] = x1 * c - x2 * s;
                        x[b + i] = x2 * c + x1 * s;
                    }
                }
            }
        });
    }
}
