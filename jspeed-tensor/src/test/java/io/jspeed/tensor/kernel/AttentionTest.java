package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Causal GQA attention over one packed qkv buffer (q | k | v | padding per row), as GPT-2 and Llama pass it. */
class AttentionTest {

    record Shape(int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        int qWidth() { return qHeads * headDim; }
        int kvWidth() { return kvHeads * headDim; }
        int stride() { return qWidth() + 2 * kvWidth() + 3; }  // padding between rows on purpose
        int rows() { return batch * seqLen; }
    }

    static final int OFF = 5;

    /** Naive double attention; returns out [rows, qHeads*headDim] and fills probs [batch, qHeads, T, T]. */
    static double[] naive(double[] qkv, Shape s, double[] probs) {
        int T = s.seqLen(), hd = s.headDim(), group = s.qHeads() / s.kvHeads();
        int kOff = OFF + s.qWidth(), vOff = kOff + s.kvWidth();
        double[] out = new double[s.rows() * s.qWidth()];
        double scale = 1 / Math.sqrt(hd);
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.qHeads(); h++) {
                int kh = h / group;
                for (int t = 0; t < T; t++) {
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int u = 0; u <= t; u++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) {
                            d += qkv[OFF + (b * T + t) * s.stride() + h * hd + i] * qkv[kOff + (b * T + u) * s.stride() + kh * hd + i];
                        }
                        sc[u] = d * scale;
                        max = Math.max(max, sc[u]);
                    }
                    for (int u = 0; u <= t; u++) sum += (sc[u] = Math.exp(sc[u] - max));
                    for (int u = 0; u <= t; u++) {
                        double pr = sc[u] / sum;
                        if (probs != null) probs[((b * s.qHeads() + h) * T + t) * T + u] = pr;
                        for (int i = 0; i < hd; i++) {
                            out[(b * T + t) * s.qWidth() + h * hd + i] += pr * qkv[vOff + (b * T + u) * s.stride() + kh * hd + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    static void forward(Parallel p, Shape s, float[] out, float[] probs, float[] qkv) {
        Attention.forward(p, out, 0, probs, 0, qkv, OFF, s.stride(), qkv, OFF + s.qWidth(), s.stride(),
            qkv, OFF + s.qWidth() + s.kvWidth(), s.stride(), s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void forwardMatchesNaive(Parallel p) {
        for (Shape s : new Shape[] {new Shape(2, 5, 4, 2, 37), new Shape(1, 17, 2, 2, 64), new Shape(2, 9, 3, 1, 16), new Shape(1, 1, 1, 1, 3), new Shape(1, 70, 2, 1, 64)}) {
            float[] qkv = random(1, OFF + s.rows() * s.stride(), 1f);
            float[] out = random(2, s.rows() * s.qWidth(), 1f);  // garbage: forward must overwrite
            int T = s.seqLen();
            float[] probs = random(3, s.batch() * s.qHeads() * T * T, 1f);
            double[] wantProbs = new double[probs.length];
            double[] want = naive(toDouble(qkv), s, wantProbs);
            forward(p, s, out, probs, qkv);
            assertClose("out " + s, out, want, 1e-5);
            assertClose("probs " + s, probs, wantProbs, 1e-5);  // includes the zeros above the diagonal
        }
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardMatchesFiniteDifferencesAndAccumulates(Parallel p) {
        for (Shape s : new Shape[] {new Shape(2, 5, 4, 2, 37), new Shape(1, 4, 2, 1, 16), new Shape(1, 9, 2, 1, 64)}) {
            float[] qkv = random(4, OFF + s.rows() * s.stride(), 1f);
            float[] dOut = random(5, s.rows() * s.qWidth(), 1f);
            float[] out = new float[dOut.length], probs = new float[s.batch() * s.qHeads() * s.seqLen() * s.seqLen()];
            forward(p, s, out, probs, qkv);
            double[] g = toDouble(dOut);
            double[] grad = numericGradient(toDouble(qkv), x -> dot(g, naive(x, s, null)));

            // one packed gradient buffer with the same layout as qkv
            float[] dqkv = random(6, qkv.length, 1f), dqkv0 = dqkv.clone();
            int kOff = OFF + s.qWidth(), vOff = kOff + s.kvWidth(), st = s.stride();
            for (int rep = 0; rep < 2; rep++) {
                Attention.backward(p, dqkv, OFF, st, dqkv, kOff, st, dqkv, vOff, st, dOut, 0, probs, 0,
                    qkv, OFF, st, qkv, kOff, st, qkv, vOff, st, s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
            }
            assertClose("dqkv " + s, dqkv, initialPlusTwice(dqkv0, grad), 1e-3);
        }
    }

    /**
     * At a length where every register-tile path runs (70 keys: full 64-column tiles plus a partial row block),
     * checks the gradient along random directions: (L(x + h d) - L(x - h d)) / 2h = <grad, d>.
     */
    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardMatchesDirectionalDerivativesAtLongerSequences(Parallel p) {
        Shape s = new Shape(2, 70, 4, 2, 64);
        float[] qkv = random(7, OFF + s.rows() * s.stride(), 1f), dOut = random(8, s.rows() * s.qWidth(), 1f);
        float[] out = new float[dOut.length], probs = new float[s.batch() * s.qHeads() * s.seqLen() * s.seqLen()];
        forward(p, s, out, probs, qkv);
        float[] dqkv = new float[qkv.length];
        int kOff = OFF + s.qWidth(), vOff = kOff + s.kvWidth(), st = s.stride();
        Attention.backward(p, dqkv, OFF, st, dqkv, kOff, st, dqkv, vOff, st, dOut, 0, probs, 0,
            qkv, OFF, st, qkv, kOff, st, qkv, vOff, st, s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
        double[] x = toDouble(qkv), g = toDouble(dOut), grad = toDouble(dqkv);
        for (int dir = 0; dir < 3; dir++) {
            double[] d = toDouble(random(100 + dir, x.length, 1f));
            double h = 1e-4;
            double[] plus = x.clone(), minus = x.clone();
            for (int i = 0; i < x.length; i++) {
                plus[i] += h * d[i];
                minus[i] -= h * d[i];
            }
            double numeric = (dot(g, naive(plus, s, null)) - dot(g, naive(minus, s, null))) / (2 * h);
            double analytic = dot(grad, d);
            if (Math.abs(numeric - analytic) > 1e-3 * (1 + Math.abs(numeric))) {
                throw new AssertionError("direction " + dir + ": numeric " + numeric + " vs backward " + analytic);
            }
        }
    }

    /** Without saved probabilities, forward and backward recompute them: the results must be bitwise the same. */
    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void recomputingProbabilitiesGivesBitwiseTheSameResults(Parallel p) {
        Shape s = new Shape(2, 70, 4, 2, 64);
        float[] qkv = random(9, OFF + s.rows() * s.stride(), 1f), dOut = random(10, s.rows() * s.qWidth(), 1f);
        int kOff = OFF + s.qWidth(), vOff = kOff + s.kvWidth(), st = s.stride();
        float[] savedOut = new float[dOut.length], probs = new float[s.batch() * s.qHeads() * s.seqLen() * s.seqLen()];
        forward(p, s, savedOut, probs, qkv);
        float[] recomputedOut = new float[dOut.length];
        forward(p, s, recomputedOut, null, qkv);
        org.assertj.core.api.Assertions.assertThat(recomputedOut).containsExactly(savedOut);

        float[] savedGrad = new float[qkv.length], recomputedGrad = new float[qkv.length];
        Attention.backward(p, savedGrad, OFF, st, savedGrad, kOff, st, savedGrad, vOff, st, dOut, 0, probs, 0,
            qkv, OFF, st, qkv, kOff, st, qkv, vOff, st, s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
        Attention.backward(p, recomputedGrad, OFF, st, recomputedGrad, kOff, st, recomputedGrad, vOff, st, dOut, 0, null, 0,
            qkv, OFF, st, qkv, kOff, st, qkv, vOff, st, s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
        org.assertj.core.api.Assertions.assertThat(recomputedGrad).containsExactly(savedGrad);
    }
}
