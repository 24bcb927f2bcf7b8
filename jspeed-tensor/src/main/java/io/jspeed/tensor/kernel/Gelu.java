package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/** GELU, tanh approximation (GPT-2, Hugging Face "gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
public final class Gelu {

    private static final float K = (float) Math.sqrt(2.0 / Math.PI);
    private static final float C = 0.044715f;

    private Gelu() {}

    /** tanh(u) = 1 - 2 / (e^{2u} + 1): saturates correctly at both ends and inlines, unlike the library TANH. */
    private static FloatVector tanh(FloatVector u) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.sub(FloatVector.broadcast(F, 2f).div(Simd.exp(u.add(u)).add(one)));
    }

    public static void forward(Parallel p, float[] out, int outOff, float[] in, int inOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> {
            FloatVector vk = FloatVector.broadcast(F, K), vkc = FloatVector.broadcast(F, K * C);
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector x = FloatVector.fromArray(F, in, inOff + i);
                // u = x * (K + K*C*x^2)
                FloatVector u = x.mul(x).fma(vkc, vk).mul(x);
                FloatVector half = x.mul(0.5f);
                half.fma(tanh(u), half).intoArray(out, outOff + i);
            }
            for (; i < e; i++) {
                float x = in[inOff + i];
                out[outOff + i] = 0.5f * x * (1f + (float) Math.tanh(K * (x + C * x * x * x)));
            }
        });
    }

    /** Accumulates dIn += dOut * gelu'(in). */
    public static void backward(Parallel p, float[] dIn, int dInOff, float[] dOut, int dOutOff, float[] in, int inOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> {
            FloatVector vk = FloatVector.broadcast(F, K), vkc = FloatVector.broadcast(F, K * C);
            FloatVector vk3c = FloatVector.broadcast(F, 3f * K * C), one = FloatVector.broadcast(F, 1f);
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector x = FloatVector.fromArray(F, in, inOff + i);
                FloatVector x2 = x.mul(x);
                FloatVector th = tanh(x2.fma(vkc, vk).mul(x));
                FloatVector sech2 = one.sub(th.mul(th));
                // d/du: 0.5 (1 + th) + 0.5 x sech^2(u) u', with u' = K + 3 K C x^2
                FloatVector du = x2.fma(vk3c, vk);
                FloatVector grad = one.add(th).add(x.mul(sech2).mul(du)).mul(0.5f);
                grad.fma(FloatVector.fromArray(F, dOut, dOutOff + i), FloatVector.fromArray(F, dIn, dInOff + i))
                    .intoArray(dIn, dInOff + i);
            }
            for (; i < e; i++) {
                float x = in[inOff + i];
                float th = (float) Math.tanh(K * (x + C * x * x * x));
                float grad = 0.5f * (1f + th) + 0.5f * x * (1f - th * th) * K * (1f + 3f * C * x * x);
                dIn[dInOff + i] += grad * dOut[dOutOff + i];
            }
        });
    }
}
