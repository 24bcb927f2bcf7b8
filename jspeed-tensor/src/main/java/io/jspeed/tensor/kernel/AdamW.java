package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.FloatSlice;
import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** One fused AdamW step (decoupled weight decay, bias-corrected moments) over a flat parameter range. */
public final class AdamW {

    /** AdamW's hyperparameters for one step; weight decay is given per call (views differ). */
    public record Hyper(float lr, float beta1, float beta2, float eps, int step) {
        public Hyper {
            if (step < 1) throw new IllegalArgumentException("AdamW step is 1-based, got " + step);
        }
    }

    private AdamW() {}

    /** The same update with parameter, gradient and both moments at one offset of their arrays. */
    public static void update(Parallel p, float[] param, float[] grad, float[] m, float[] v, int off, int len,
                              float lr, float beta1, float beta2, float eps, float weightDecay, int step, float gradScale) {
        update(p, new FloatSlice(param, off), new FloatSlice(grad, off), new FloatSlice(m, off), new FloatSlice(v, off), len,
                new Hyper(lr, beta1, beta2, eps, step), weightDecay, gradScale);
    }

    /**
     * Updates len parameters in place with g = grad * gradScale (gradScale carries clipping). Decay first
     * (p -= lr*wd*p), then m, v and p -= lr * mhat / (sqrt(vhat) + eps). The moments share one offset (they are
     * laid out alike); parameter and gradient may sit at other offsets (a full buffer beside a shard).
     */
    public static void update(Parallel p, FloatSlice paramAt, FloatSlice gradAt, FloatSlice mAt, FloatSlice vAt, int len,
                              Hyper h, float weightDecay, float gradScale) {
        float[] param = paramAt.array(), grad = gradAt.array(), m = mAt.array(), v = vAt.array();
        int po = paramAt.offset(), go = gradAt.offset(), mo = mAt.offset(), vo = vAt.offset();
        float decay = 1f - h.lr() * weightDecay;
        float b1 = h.beta1(), b2 = h.beta2(), c1 = 1f - b1, c2 = 1f - b2, eps = h.eps();
        // bias corrections folded into two scalars: lr/(1-b1^t) on m and 1/(1-b2^t) on v
        float stepSize = (float) (h.lr() / (1.0 - Math.pow(b1, h.step())));
        float vCorrection = (float) (1.0 / (1.0 - Math.pow(b2, h.step())));
        Simd.forRange(p, len, Simd.GRAIN, (s, e) -> {
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(F, grad, go + i).mul(gradScale);
                FloatVector mi = FloatVector.fromArray(F, m, mo + i).mul(b1).add(g.mul(c1));
                FloatVector vi = FloatVector.fromArray(F, v, vo + i).mul(b2).add(g.mul(g).mul(c2));
                mi.intoArray(m, mo + i);
                vi.intoArray(v, vo + i);
                FloatVector denom = vi.mul(vCorrection).lanewise(VectorOperators.SQRT).add(eps);
                FloatVector pi = FloatVector.fromArray(F, param, po + i).mul(decay);
                pi.sub(mi.mul(stepSize).div(denom)).intoArray(param, po + i);
            }
            for (; i < e; i++) {
                float g = grad[go + i] * gradScale;
                float mi = b1 * m[mo + i] + c1 * g;
                float vi = b2 * v[vo + i] + c2 * g * g;
                m[mo + i] = mi;
                v[vo + i] = vi;
                param[po + i] = param[po + i] * decay - stepSize * mi / ((float) Math.sqrt(vi * vCorrection) + eps);
            }
        });
    }
}
