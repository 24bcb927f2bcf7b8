package io.jspeed.tensor.matmul;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.GemmBlocking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The short measurement behind a {@link MatmulChoice}: a few GEMMs of two GPT-2-sized shapes per candidate
 * (Java blockings, then each engine), about a second on two idle cores. Candidates are whatever is present
 * on the host; no vendor name or CPU flag enters the decision.
 */
final class MatmulAutotune {

    /** One candidate's throughput over the probe shapes. */
    record Measurement(String candidate, double gflops) {
        @Override
        public String toString() {
            return "%s %.1f GFLOP/s".formatted(candidate, gflops);
        }
    }

    record Result(MatmulChoice choice, List<Measurement> measurements) {
    }

    record Shape(int m, int n, int k, boolean transA, boolean transB) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    /**
     * At 256 rows of a 768-wide model: a square Linear forward (x·W), and the input gradient of the MLP's first
     * layer (dY·Wᵀ over a 3072 depth), whose long depth is where the blockings' slicing differs most.
     */
    static final Budget DEFAULT = new Budget(List.of(new Shape(256, 768, 768, false, false), new Shape(256, 768, 3072, false, true)),
            400_000_000L);

    /** What to measure: the probe shapes, after warming the JIT for this long. Tests use small ones. */
    record Budget(List<Shape> probes, long jitWarmupNanos) {
    }
    private static final int WARM_CALLS = 2, TIMED_CALLS = 5;

    private MatmulAutotune() {
    }

    /** The blockings worth measuring on these caches: the tuned default, the derived one, and the derived one at the tuned depth. */
    static List<GemmBlocking> blockingCandidates(HostCaches caches, int threads) {
        GemmBlocking derived = GemmBlocking.fromCaches(caches, threads);
        return List.copyOf(new LinkedHashSet<>(List.of(GemmBlocking.TUNED, derived, derived.withKc(GemmBlocking.TUNED.kc()))));
    }

    /** Measures every candidate; dnnl engines may be null (library missing). */
    static Result run(Parallel pool, HostCaches caches, MatmulEngine dnnlFp32, MatmulEngine dnnlBf16, String dnnlVersion,
            Budget budget) {
        Operands ops = new Operands(budget.probes);
        List<Measurement> all = new ArrayList<>();
        // the JIT compiles the Java kernels only after many calls; warm them before anything is compared
        JavaFp32Matmul warm = new JavaFp32Matmul(GemmBlocking.TUNED);
        long until = System.nanoTime() + budget.jitWarmupNanos;
        do {
            ops.call(warm, pool, budget.probes.getFirst());
        } while (System.nanoTime() < until);

        GemmBlocking best = null;
        double bestJava = -1;
        for (GemmBlocking b : blockingCandidates(caches, pool.threads())) {
            double g = gflops(new JavaFp32Matmul(b), pool, ops, budget);
            all.add(new Measurement(JavaFp32Matmul.NAME + " " + b, g));
            if (g > bestJava) {
                bestJava = g;
                best = b;
            }
        }
        String fp32 = JavaFp32Matmul.NAME;
        double fp32Gflops = bestJava;
        if (dnnlFp32 != null) {
            double g = gflops(dnnlFp32, pool, ops, budget);
            all.add(new Measurement(DnnlFp32Matmul.NAME, g));
            if (g > bestJava) {
                fp32 = DnnlFp32Matmul.NAME;
                fp32Gflops = g;
            }
        }
        String bf16 = JavaBf16Matmul.NAME;
        // without oneDNN the Java bf16 path only emulates bf16 products, so it is not measured for speed
        double bf16Gflops = 0;
        if (dnnlBf16 != null) {
            double javaBf16 = gflops(new JavaBf16Matmul(best), pool, ops, budget);
            double g = gflops(dnnlBf16, pool, ops, budget);
            all.add(new Measurement(JavaBf16Matmul.NAME, javaBf16));
            all.add(new Measurement(DnnlBf16Matmul.NAME, g));
            if (g > javaBf16) bf16 = DnnlBf16Matmul.NAME;
            bf16Gflops = Math.max(g, javaBf16);
        }
        return new Result(new MatmulChoice(best, fp32, bf16, bf16Gflops > fp32Gflops, dnnlVersion), all);
    }

    /** Total flops over total median time of the probe shapes. */
    private static double gflops(MatmulEngine e, Parallel pool, Operands ops, Budget budget) {
        double flops = 0, nanos = 0;
        for (Shape s : budget.probes) {
            for (int i = 0; i < WARM_CALLS; i++) ops.call(e, pool, s);
            long[] t = new long[TIMED_CALLS];
            for (int i = 0; i < TIMED_CALLS; i++) {
                long t0 = System.nanoTime();
                ops.call(e, pool, s);
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            flops += s.flops();
            nanos += t[TIMED_CALLS / 2];
        }
        return flops / nanos;
    }

    /** Random operands big enough for every probe. */
    private static final class Operands {
        final float[] a, b, c;

        Operands(List<Shape> probes) {
            int aLen = 0, bLen = 0, cLen = 0;
            for (Shape s : probes) {
                aLen = Math.max(aLen, s.m * s.k);
                bLen = Math.max(bLen, s.k * s.n);
                cLen = Math.max(cLen, s.m * s.n);
            }
            a = random(aLen, 1);
            b = random(bLen, 2);
            c = new float[cLen];
        }

        void call(MatmulEngine e, Parallel pool, Shape s) {
            int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
            e.matmul(pool, s.transA, s.transB, s.m, s.n, s.k, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n);
        }

        private static float[] random(int n, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
            return x;
        }
    }
}
