package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Root-mean-square normalization over the last dimension (Llama): out = x * rsqrt(mean(x^2) + eps) * w. */
public final class RmsNorm {

    private RmsNorm() {}

    /** Saves rstd = rsqrt(mean(x^2) + eps) per row for the backward. */
    public static void forward(Parallel p, float[] out, int outOff, float[] rstd, int statOff,
                               float[] in, int inOff, float[] w, int wOff, int rows, int dim, float eps) {
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = inOff + r * dim, o = outOff + r * dim;
                float s = (float) (1.0 / Math.sqrt(Simd.sumSquaredDeviation(in, x, dim, 0f) / dim + eps));
                rstd[statOff + r] = s;
                FloatVector vs = FloatVector.broadcast(F, s);
                int i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector.fromArray(F, in, x + i).mul(vs).mul(FloatVector.fromArray(F, w, wOff + i)).intoArray(out, o + i);
                }
                for (; i < dim; i++) out[o + i] = in[x + i] * s * w[wOff + i];
            }
        });
    }

    /** Accumulates dIn and dW (+=). */
    public static void backward(Parallel p, float[] dIn, int dInOff, float[] dW, int dWOff, float[] dOut, int dOutOff,
                                float[] in, int inOff, float[] w, int wOff, float[] rstd, int statOff, int rows, int dim) {
        float[] total = RowPartials.sum(p, rows, dim, (r0, r1, part) -> {
            for (int r = r0; r < r1; r++) {
                int x = inOff + r * dim, d = dOutOff + r * dim, g = dInOff + r * dim;
                float s = rstd[statOff + r];
                FloatVector vs = FloatVector.broadcast(F, s);
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector y = FloatVector.fromArray(F, in, x + i).mul(vs);
                    FloatVector dy = FloatVector.fromArray(F, dOut, d + i);
                    acc = dy.mul(FloatVector.fromArray(F, w, wOff + i)).fma(y, acc);
                    y.fma(dy, FloatVector.fromArray(F, part, i)).intoArray(part, i);
                }
                float sumNY = Simd.sumLanes(acc);
                for (; i < dim; i++) {
                    float y = in[x + i] * s, dy = dOut[d + i];
                    sumNY += dy * w[wOff + i] * y;
                    part[i] += y * dy;
                }
                float meanNY = sumNY / dim;
                // dIn = rstd * (dnorm - y * mean(dnorm * y)), with y = x * rstd and dnorm = dOut * w
                FloatVector vMean = FloatVector.broadcast(F, meanNY);
                i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector y = FloatVector.fromArray(F, in, x + i).mul(vs);
                    FloatVector dn = FloatVector.fromArray(F, dOut, d + i).mul(FloatVector.fromArray(F, w, wOff + i));
                    dn.sub(y.mul(vMean)).fma(vs, FloatVector.fromArray(F, dIn, g + i)).intoArray(dIn, g + i);
                }
                for (; i < dim; i++) {
                    float y = in[x + i] * s, dn = dOut[d + i] * w[wOff + i];
                    dIn[g + i] += (dn - y * meanNY) * s;
                }
            }
        });
        Simd.addInPlace(dW, dWOff, total, 0, dim);
    }
}
