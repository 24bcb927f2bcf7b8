package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;

import io.jspeed.tensor.Parallel;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Gelu and SwiGlu: element-wise, so sizes 1..33 cover every vector tail and 20000 covers the thread split. */
class ActivationTest {

    static final int[] SIZES = sizes();

    static int[] sizes() {
        int[] s = new int[35];
        for (int i = 0; i < 33; i++) s[i] = i + 1;
        s[33] = 1000;
        s[34] = 20001;
        return s;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    static double derivative(DoubleUnaryOperator f, double x) {
        double h = 1e-5 * Math.max(1, Math.abs(x));
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void geluForwardAndBackward(Parallel p) {
        for (int n : SIZES) {
            int off = 5;
            float[] in = random(n, off + n, 3f), dOut = random(n + 1, off + n, 1f);
            float[] out = new float[off + n];
            Gelu.forward(p, out, off, in, off, n);
            double[] want = new double[n], wantGrad = new double[off + n];
            float[] dIn = random(n + 2, off + n, 1f), dIn0 = dIn.clone();
            for (int i = 0; i < n; i++) {
                want[i] = gelu(in[off + i]);
                wantGrad[off + i] = dOut[off + i] * derivative(ActivationTest::gelu, in[off + i]);
            }
            assertClose("gelu n=" + n, out, off, want, 0, n, 1e-5);
            Gelu.backward(p, dIn, off, dOut, off, in, off, n);
            Gelu.backward(p, dIn, off, dOut, off, in, off, n);
            assertClose("gelu grad n=" + n, dIn, initialPlusTwice(dIn0, wantGrad), 1e-4);
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void swiGluForwardAndBackward(Parallel p) {
        for (int n : SIZES) {
            int off = 3;
            float[] gate = random(n, off + n, 3f), up = random(n + 1, off + n, 1f), dOut = random(n + 2, off + n, 1f);
            float[] out = new float[off + n];
            SwiGlu.forward(p, out, off, gate, off, up, off, n);
            double[] want = new double[n], wantGate = new double[off + n], wantUp = new double[off + n];
            for (int i = 0; i < n; i++) {
                double g = gate[off + i], u = up[off + i], d = dOut[off + i];
                want[i] = silu(g) * u;
                wantGate[off + i] = d * u * derivative(ActivationTest::silu, g);
                wantUp[off + i] = d * silu(g);
            }
            assertClose("swiglu n=" + n, out, off, want, 0, n, 1e-5);
            float[] dGate = random(n + 3, off + n, 1f), dUp = random(n + 4, off + n, 1f);
            float[] dGate0 = dGate.clone(), dUp0 = dUp.clone();
            for (int rep = 0; rep < 2; rep++) SwiGlu.backward(p, dGate, off, dUp, off, dOut, off, gate, off, up, off, n);
            assertClose("dGate n=" + n, dGate, initialPlusTwice(dGate0, wantGate), 1e-4);
            assertClose("dUp n=" + n, dUp, initialPlusTwice(dUp0, wantUp), 1e-5);
        }
    }
}
