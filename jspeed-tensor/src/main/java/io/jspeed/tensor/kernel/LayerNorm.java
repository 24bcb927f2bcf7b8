package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Layer normalization over the last dimension of row-major [rows, dim] activations (GPT-2). */
public final class LayerNorm {

    private LayerNorm() {}

    /** out = (in - mean) * rstd * w + b per row; saves mean and rstd per row for the backward. */
    public static void forward(Parallel p, float[] out, int outOff, float[] mean, float[] rstd, int statOff,
                               float[] in, int inOff, float[] w, int wOff, float[] b, int bOff,
                               int rows, int dim, float eps) {
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int x = inOff + r * dim, o = outOff + r * dim;
                float m = Simd.sum(in, x, dim) / dim;
                // two-pass variance: the one-pass E[x^2]-E[x]^2 loses digits when |mean| >> std
                float var = Simd.sumSquaredDeviation(in, x, dim, m) / dim;
                float s = (float) (1.0 / Math.sqrt(var + eps));
                mean[statOff + r] = m;
                rstd[statOff + r] = s;
                FloatVector vm = FloatVector.broadcast(F, m), vs = FloatVector.broadcast(F, s);
                int i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector n = FloatVector.fromArray(F, in, x + i).sub(vm).mul(vs);
                    n.fma(FloatVector.fromArray(F, w, wOff + i), FloatVector.fromArray(F, b, bOff + i)).intoArray(out, o + i);
                }
                for (; i < dim; i++) out[o + i] = (in[x + i] - m) * s * w[wOff + i] + b[bOff + i];
            }
        });
    }

    /** Accumulates dIn, dW and dB (+=). */
    public static void backward(Parallel p, float[] dIn, int dInOff, float[] dW, int dWOff, float[] dB, int dBOff,
                                float[] dOut, int dOutOff, float[] in, int inOff, float[] w, int wOff,
                                float[] mean, float[] rstd, int statOff, int rows, int dim) {
        // partial layout: [0, dim) = dW, [dim, 2*dim) = dB
        float[] total = RowPartials.sum(p, rows, 2 * dim, (r0, r1, part) -> {
            for (int r = r0; r < r1; r++) {
                int x = inOff + r * dim, d = dOutOff + r * dim, g = dInOff + r * dim;
                float m = mean[statOff + r], s = rstd[statOff + r];
                FloatVector vm = FloatVector.broadcast(F, m), vs = FloatVector.broadcast(F, s);
                // pass 1: mean of dnorm = dOut*w and of dnorm*xhat; also the parameter gradients
                FloatVector accN = FloatVector.zero(F), accNX = FloatVector.zero(F);
                int i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector xh = FloatVector.fromArray(F, in, x + i).sub(vm).mul(vs);
                    FloatVector dy = FloatVector.fromArray(F, dOut, d + i);
                    FloatVector dn = dy.mul(FloatVector.fromArray(F, w, wOff + i));
                    accN = accN.add(dn);
                    accNX = dn.fma(xh, accNX);
                    xh.fma(dy, FloatVector.fromArray(F, part, i)).intoArray(part, i);
                    dy.add(FloatVector.fromArray(F, part, dim + i)).intoArray(part, dim + i);
                }
                float sumN = Simd.sumLanes(accN), sumNX = Simd.sumLanes(accNX);
                for (; i < dim; i++) {
                    float xh = (in[x + i] - m) * s, dy = dOut[d + i], dn = dy * w[wOff + i];
                    sumN += dn;
                    sumNX += dn * xh;
                    part[i] += xh * dy;
                    part[dim + i] += dy;
                }
                float meanN = sumN / dim, meanNX = sumNX / dim;
                // pass 2: dIn += (dnorm - mean(dnorm) - xhat * mean(dnorm*xhat)) * rstd
                FloatVector vMeanN = FloatVector.broadcast(F, meanN), vMeanNX = FloatVector.broadcast(F, meanNX);
                i = 0;
                for (int bound = F.loopBound(dim); i < bound; i += L) {
                    FloatVector xh = FloatVector.fromArray(F, in, x + i).sub(vm).mul(vs);
                    FloatVector dn = FloatVector.fromArray(F, dOut, d + i).mul(FloatVector.fromArray(F, w, wOff + i));
                    FloatVector t = dn.sub(vMeanN).sub(xh.mul(vMeanNX));
                    t.fma(vs, FloatVector.fromArray(F, dIn, g + i)).intoArray(dIn, g + i);
                }
                for (; i < dim; i++) {
                    float xh = (in[x + i] - m) * s, dn = dOut[d + i] * w[wOff + i];
                    dIn[g + i] += (dn - meanN - xh * meanNX) * s;
                }
            }
        });
        Simd.addInPlace(dW, dWOff, total, 0, dim);
        Simd.addInPlace(dB, dBOff, total, dim, dim);
    }
}
