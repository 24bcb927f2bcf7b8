package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tiled causal GQA attention over one packed qkv buffer (q | k | v | padding per row), as GPT-2 and Llama pass it,
 * against a naive double-precision triple loop (forward, log-sum-exp and the analytic backward) and finite differences.
 */
class FlashAttentionTest {

    static final int OFF = 5;

    /** A shape and the packed layout of its qkv rows (3 padding floats between rows on purpose). */
    record Case(AttentionShape s) {
        int qWidth() { return s.qHeads() * s.headDim(); }
        int kvWidth() { return s.kvHeads() * s.headDim(); }
        int stride() { return qWidth() + 2 * kvWidth() + 3; }
        int rows() { return s.batch() * s.seqLen(); }
        int length() { return OFF + rows() * stride(); }
        Strided q(float[] a) { return new Strided(a, OFF, stride()); }
        Strided k(float[] a) { return new Strided(a, OFF + qWidth(), stride()); }
        Strided v(float[] a) { return new Strided(a, OFF + qWidth() + kvWidth(), stride()); }
        Strided out(float[] a) { return new Strided(a, 0, qWidth()); }
        @Override public String toString() { return s.toString(); }
    }

    static Case shape(int batch, int seqLen, int qHeads, int kvHeads, int headDim) {
        return new Case(new AttentionShape(batch, seqLen, qHeads, kvHeads, headDim));
    }

    /** Small tiles, so that short sequences already cross several query and key blocks. */
    static final AttentionTiles SMALL = new AttentionTiles(24, 2 * Simd.L);

    static List<AttentionTiles> tilings(int headDim) {
        return List.of(SMALL, AttentionTiles.forHost(HostCaches.read(), headDim));
    }

    /** Naive double attention: out [rows, qHeads*headDim]; fills probs [batch, qHeads, T, T] and lse [batch, qHeads, T] if given. */
    static double[] naive(double[] qkv, Case c, double[] probs, double[] lse) {
        AttentionShape s = c.s();
        int T = s.seqLen(), hd = s.headDim(), st = c.stride();
        int kOff = OFF + c.qWidth(), vOff = kOff + c.kvWidth();
        double[] out = new double[c.rows() * c.qWidth()];
        double scale = 1 / Math.sqrt(hd);
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.qHeads(); h++) {
                int kh = h / s.group();
                for (int t = 0; t < T; t++) {
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int u = 0; u <= t; u++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) d += qkv[OFF + (b * T + t) * st + h * hd + i] * qkv[kOff + (b * T + u) * st + kh * hd + i];
                        sc[u] = d * scale;
                        max = Math.max(max, sc[u]);
                    }
                    for (int u = 0; u <= t; u++) sum += (sc[u] = Math.exp(sc[u] - max));
                    if (lse != null) lse[(b * s.qHeads() + h) * T + t] = max + Math.log(sum);
                    for (int u = 0; u <= t; u++) {
                        double pr = sc[u] / sum;
                        if (probs != null) probs[((b * s.qHeads() + h) * T + t) * T + u] = pr;
                        for (int i = 0; i < hd; i++) out[(b * T + t) * c.qWidth() + h * hd + i] += pr * qkv[vOff + (b * T + u) * st + kh * hd + i];
                    }
                }
            }
        }
        return out;
    }

    /** Naive analytic backward in double: the gradient of sum(dOut * out) with respect to the packed qkv buffer. */
    static double[] naiveBackward(double[] qkv, double[] dOut, Case c) {
        AttentionShape s = c.s();
        int T = s.seqLen(), hd = s.headDim(), st = c.stride();
        int kOff = OFF + c.qWidth(), vOff = kOff + c.kvWidth();
        double[] probs = new double[s.batch() * s.qHeads() * T * T];
        naive(qkv, c, probs, null);
        double[] g = new double[qkv.length];
        double scale = 1 / Math.sqrt(hd);
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.qHeads(); h++) {
                int kh = h / s.group();
                for (int t = 0; t < T; t++) {
                    int row = (b * s.qHeads() + h) * T + t;
                    double[] dp = new double[t + 1];
                    double pdp = 0;
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hd; i++) dp[u] += dOut[(b * T + t) * c.qWidth() + h * hd + i] * qkv[vOff + (b * T + u) * st + kh * hd + i];
                        pdp += probs[row * T + u] * dp[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        double p = probs[row * T + u], ds = p * (dp[u] - pdp) * scale;
                        for (int i = 0; i < hd; i++) {
                            g[vOff + (b * T + u) * st + kh * hd + i] += p * dOut[(b * T + t) * c.qWidth() + h * hd + i];
                            g[OFF + (b * T + t) * st + h * hd + i] += ds * qkv[kOff + (b * T + u) * st + kh * hd + i];
                            g[kOff + (b * T + u) * st + kh * hd + i] += ds * qkv[OFF + (b * T + t) * st + h * hd + i];
                        }
                    }
                }
            }
        }
        return g;
    }

    static void forward(Parallel p, Case c, AttentionTiles tiles, float[] qkv, float[] out, float[] lse) {
        FlashAttention.forward(p, c.s(), tiles, c.q(qkv), c.k(qkv), c.v(qkv), c.out(out), lse);
    }

    static void backward(Parallel p, Case c, AttentionTiles tiles, FlashAttention.BackwardSchedule schedule, float[] qkv, float[] out,
                         float[] lse, float[] dOut, float[] dqkv) {
        FlashAttention.backward(p, c.s(), tiles, schedule, c.q(qkv), c.k(qkv), c.v(qkv), c.out(out), lse, c.out(dOut),
                c.q(dqkv), c.k(dqkv), c.v(dqkv));
    }

    static List<Case> shapes() {
        List<Case> cases = new ArrayList<>();
        for (int t : new int[] {1, 7, 65, 130}) {
            for (int d : new int[] {8, 16, 64}) cases.add(shape(t < 100 ? 2 : 1, t, 4, 2, d));
        }
        cases.add(shape(1, 33, 3, 1, 37));  // head size no multiple of the vector length
        cases.add(shape(1, 40, 2, 2, 16));  // plain multi-head
        return cases;
    }

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void forwardAndBackwardMatchNaive(Parallel p) {
        for (Case c : shapes()) {
            float[] qkv = random(1, c.length(), 1f), dOut = random(5, c.rows() * c.qWidth(), 1f);
            double[] x = toDouble(qkv), wantLse = new double[c.s().lseLength()];
            double[] want = naive(x, c, null, wantLse);
            double[] grad = naiveBackward(x, toDouble(dOut), c);
            for (AttentionTiles tiles : tilings(c.s().headDim())) {
                for (FlashAttention.BackwardSchedule schedule : FlashAttention.BackwardSchedule.values()) {
                    String what = c + " " + tiles + " " + schedule;
                    float[] out = random(2, c.rows() * c.qWidth(), 1f);  // garbage: forward must overwrite
                    float[] lse = random(3, c.s().lseLength(), 1f);
                    forward(p, c, tiles, qkv, out, lse);
                    assertClose("out " + what, out, want, 1e-5);
                    assertClose("lse " + what, lse, wantLse, 1e-5);

                    // one packed gradient buffer with qkv's layout; backward adds (and leaves the padding alone),
                    // so run it twice onto garbage
                    float[] dqkv = random(6, qkv.length, 1f), dqkv0 = dqkv.clone();
                    for (int rep = 0; rep < 2; rep++) backward(p, c, tiles, schedule, qkv, out, lse, dOut, dqkv);
                    assertClose("dqkv " + what, dqkv, initialPlusTwice(dqkv0, grad), 2e-4);
                }
            }
        }
    }

    /** The analytic naive backward is itself checked against central finite differences of the naive forward. */
    @Test
    void naiveBackwardMatchesFiniteDifferences() {
        Case c = shape(1, 5, 4, 2, 8);
        double[] x = toDouble(random(7, c.length(), 1f)), g = toDouble(random(8, c.rows() * c.qWidth(), 1f));
        double[] numeric = numericGradient(x, y -> dot(g, naive(y, c, null, null)));
        double[] analytic = naiveBackward(x, g, c);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(numeric[i] - analytic[i]) > 1e-7 * (1 + Math.abs(numeric[i]))) {
                throw new AssertionError("qkv[" + i + "]: numeric " + numeric[i] + " vs analytic " + analytic[i]);
            }
        }
    }

    /** The float kernel's gradient along random directions against central differences of the double forward. */
    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void backwardMatchesDirectionalDerivatives(Parallel p) {
        Case c = shape(2, 70, 4, 2, 64);
        float[] qkv = random(7, c.length(), 1f), dOut = random(8, c.rows() * c.qWidth(), 1f);
        float[] out = new float[dOut.length], lse = new float[c.s().lseLength()], dqkv = new float[qkv.length];
        forward(p, c, SMALL, qkv, out, lse);
        backward(p, c, SMALL, FlashAttention.schedule(c.s(), p.threads()), qkv, out, lse, dOut, dqkv);
        double[] x = toDouble(qkv), g = toDouble(dOut), grad = toDouble(dqkv);
        for (int dir = 0; dir < 3; dir++) {
            double[] d = toDouble(random(100 + dir, x.length, 1f));
            double h = 1e-4;
            double[] plus = x.clone(), minus = x.clone();
            for (int i = 0; i < x.length; i++) {
                plus[i] += h * d[i];
                minus[i] -= h * d[i];
            }
            double numeric = (dot(g, naive(plus, c, null, null)) - dot(g, naive(minus, c, null, null))) / (2 * h);
            double analytic = dot(grad, d);
            assertThat(Math.abs(numeric - analytic)).as("direction " + dir + ": numeric " + numeric + " vs backward " + analytic)
                    .isLessThan(1e-3 * (1 + Math.abs(numeric)));
        }
    }

    /**
     * Every output element sums its terms in one fixed order whatever the thread count and backward schedule: the
     * same call twice, one thread against two, and ONE_PASS against TWO_PASS agree bit for bit. (With one kv head
     * two threads pick TWO_PASS, with four one thread and two both pick ONE_PASS.)
     */
    @Test
    void resultsAreBitwiseReproducibleAndIndependentOfThreadsAndSchedule() {
        for (Case c : new Case[] {shape(1, 130, 2, 1, 64), shape(2, 100, 4, 2, 16)}) {
            float[] qkv = random(9, c.length(), 1f), dOut = random(10, c.rows() * c.qWidth(), 1f);
            for (AttentionTiles tiles : tilings(c.s().headDim())) {
                List<float[][]> runs = new ArrayList<>();
                try (Parallel two = twoThreads()) {
                    for (Parallel p : new Parallel[] {Parallel.serial(), Parallel.serial(), two}) {
                        for (FlashAttention.BackwardSchedule schedule : List.of(FlashAttention.schedule(c.s(), p.threads()),
                                FlashAttention.BackwardSchedule.ONE_PASS, FlashAttention.BackwardSchedule.TWO_PASS)) {
                            float[] out = new float[dOut.length], lse = new float[c.s().lseLength()], grad = new float[qkv.length];
                            forward(p, c, tiles, qkv, out, lse);
                            backward(p, c, tiles, schedule, qkv, out, lse, dOut, grad);
                            runs.add(new float[][] {out, lse, grad});
                        }
                    }
                }
                for (int run = 1; run < runs.size(); run++) {
                    String what = c + " " + tiles + ", run " + run;
                    assertThat(runs.get(run)[0]).as("out " + what).containsExactly(runs.get(0)[0]);
                    assertThat(runs.get(run)[1]).as("lse " + what).containsExactly(runs.get(0)[1]);
                    assertThat(runs.get(run)[2]).as("dqkv " + what).containsExactly(runs.get(0)[2]);
                }
            }
        }
    }

    @Test
    void backwardScheduleFollowsHowEvenlyTasksSplit() {
        assertThat(FlashAttention.schedule(new AttentionShape(1, 8, 12, 12, 64), 1)).isEqualTo(FlashAttention.BackwardSchedule.ONE_PASS);
        assertThat(FlashAttention.schedule(new AttentionShape(1, 8, 12, 12, 64), 2)).isEqualTo(FlashAttention.BackwardSchedule.ONE_PASS);
        assertThat(FlashAttention.schedule(new AttentionShape(1, 8, 12, 12, 64), 10)).isEqualTo(FlashAttention.BackwardSchedule.TWO_PASS);
        assertThat(FlashAttention.schedule(new AttentionShape(1, 8, 4, 1, 64), 2)).isEqualTo(FlashAttention.BackwardSchedule.TWO_PASS);
    }

    @Test
    void tilesFollowTheCaches() {
        AttentionTiles small = AttentionTiles.forHost(new HostCaches(32 << 10, 256 << 10, 1 << 20), 64);
        AttentionTiles large = AttentionTiles.forHost(new HostCaches(64 << 10, 2 << 20, 1 << 20), 64);
        assertThat(small.keyCols() % (4 * Simd.L)).isZero();
        assertThat(large.keyCols()).isGreaterThanOrEqualTo(small.keyCols());
        assertThat(large.queryRows()).isGreaterThan(small.queryRows());
        // the budget: 3 row blocks and 2 key blocks of headDim floats, and P and dS of a row block, within half of L2
        long floats = 64L * (3L * small.queryRows() + 2L * small.keyCols()) + 2L * small.queryRows() * small.keyCols();
        assertThat(4 * floats).isLessThanOrEqualTo(128 << 10);
    }
}
