package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/** The gated unit of Llama's MLP: out = silu(gate) * up, silu(x) = x * sigmoid(x). */
public final class SwiGlu {

    private SwiGlu() {}

    public static void forward(Parallel p, float[] out, int outOff, float[] gate, int gateOff, float[] up, int upOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(F, gate, gateOff + i);
                FloatVector sig = one.div(one.add(Simd.exp(g.neg())));
                g.mul(sig).mul(FloatVector.fromArray(F, up, upOff + i)).intoArray(out, outOff + i);
            }
            for (; i < e; i++) {
                float g = gate[gateOff + i];
                out[outOff + i] = g / (1f + (float) Math.exp(-g)) * up[upOff + i];
            }
        });
    }

    /** Accumulates dGate and dUp (+=). */
    public static void backward(Parallel p, float[] dGate, int dGateOff, float[] dUp, int dUpOff, float[] dOut, int dOutOff,
                                float[] gate, int gateOff, float[] up, int upOff, int n) {
        Simd.forRange(p, n, Simd.GRAIN, (s, e) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            int i = s;
            for (int bound = s + F.loopBound(e - s); i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(F, gate, gateOff + i);
                FloatVector sig = one.div(one.add(Simd.exp(g.neg())));
                FloatVector dy = FloatVector.fromArray(F, dOut, dOutOff + i);
                FloatVector u = FloatVector.fromArray(F, up, upOff + i);
                // silu'(g) = sig * (1 + g * (1 - sig))
                FloatVector dSilu = sig.mul(one.add(g.mul(one.sub(sig))));
                dy.mul(u).fma(dSilu, FloatVector.fromArray(F, dGate, dGateOff + i)).intoArray(dGate, dGateOff + i);
                dy.mul(g.mul(sig)).add(FloatVector.fromArray(F, dUp, dUpOff + i)).intoArray(dUp, dUpOff + i);
            }
            for (; i < e; i++) {
                float g = gate[gateOff + i], dy = dOut[dOutOff + i];
                float sig = 1f / (1f + (float) Math.exp(-g));
                dGate[dGateOff + i] += dy * up[upOff + i] * sig * (1f + g * (1f - sig));
                dUp[dUpOff + i] += dy * g * sig;
            }
        });
    }
}
