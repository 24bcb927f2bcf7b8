package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** One fused AdamW step (decoupled weight decay, bias-corrected moments) over a flat parameter range. */
public final class AdamW {

    private AdamW() {}

    /**
     * Updates param[off, off+len) in place with g = grad * gradScale (gradScale carries clipping).
     * Decay first (p -= lr*wd*p), then m, v and p -= lr * mhat / (sqrt(vhat) + eps). step is 1-based.
     */
    public static void update(Parallel p, float[] param, float[] grad, float[] m, float[] v, int off, int len,
                              float lr, float beta1, float beta2, float eps, float weightDecay, int step, float gradScale) {
        if (step < 1) throw new IllegalArgumentException("AdamW step is 1-based, got " + step);
        float decay = 1f - lr * weightDecay;
        float b1 = beta1, b2 = beta2, c1 = 1f - beta1, c2 = 1f - beta2;
        // bias corrections folded into two scalars: lr/(1-b1^t) on m and 1/(1-b2^t) on v
        float stepSize = (float) (lr / (1.0 - Math.pow(beta1, step)));
        float vCorrection = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        Simd.forRange(p, len, Simd.GRAIN, (s, e) -> {
            int i = off + s, end = off + e;
            for (int bound = i + F.loopBound(e - s); i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(F, grad, i).mul(gradScale);
                FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(g.mul(c1));
                FloatVector vi = FloatVector.fromArray(F, v, i).mul(b2).add(g.mul(g).mul(c2));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                FloatVector denom = vi.mul(vCorrection).lanewise(VectorOperators.SQRT).add(eps);
                FloatVector pi = FloatVector.fromArray(F, param, i).mul(decay);
                pi.sub(mi.mul(stepSize).div(denom)).intoArray(param, i);
            }
            for (; i < end; i++) {
                float g = grad[i] * gradScale;
                float mi = b1 * m[i] + c1 * g;
                float vi = b2 * v[i] + c2 * g * g;
                m[i] = mi;
                v[i] = vi;
                param[i] = param[i] * decay - stepSize * mi / ((float) Math.sqrt(vi * vCorrection) + eps);
            }
        });
    }
}
