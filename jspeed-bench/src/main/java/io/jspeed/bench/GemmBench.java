package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gemm;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Wall-clock GEMM throughput driver: median time of repeated C = A·B (or A·Bᵀ) calls on a fresh pool. */
public final class GemmBench {

    /** One measured shape: C[m x n] = A[m x k]·B, median over the timed iterations. */
    public record Result(int m, int k, int n, int threads, double gflops, double millis) {
        @Override
        public String toString() {
            return "%dx%dx%d threads=%d: %.1f GFLOP/s (%.3f ms)".formatted(m, k, n, threads, gflops, millis);
        }
    }

    private GemmBench() {
    }

    /** C = A[m x k]·B[k x n], both stored non-transposed. */
    public static Result run(int m, int k, int n, int threads, int warmup, int iterations) {
        return measure(false, m, k, n, threads, warmup, iterations);
    }

    /** C = A[m x k]·Bᵀ with B stored [n x k], the shape of Linear forward (x·Wᵀ). */
    public static Result runTransB(int m, int k, int n, int threads, int warmup, int iterations) {
        return measure(true, m, k, n, threads, warmup, iterations);
    }

    private static Result measure(boolean transB, int m, int k, int n, int threads, int warmup, int iterations) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        int ldb = transB ? k : n;
        long[] nanos = new long[iterations];
        try (Parallel pool = threads == 1 ? null : new Parallel(threads)) {
            Parallel p = pool == null ? Parallel.serial() : pool;
            for (int i = 0; i < warmup; i++) Gemm.matmul(p, false, transB, m, n, k, a, 0, k, b, 0, ldb, 0f, c, 0, n);
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                Gemm.matmul(p, false, transB, m, n, k, a, 0, k, b, 0, ldb, 0f, c, 0, n);
                nanos[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(nanos);
        double median = nanos[iterations / 2];
        return new Result(m, k, n, threads, 2.0 * m * n * k / median, median / 1e6);
    }

    private static float[] random(int len, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** Quick look without the CLI: prints the training shapes at 1 and all threads. */
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.println(run(1024, 768, 3072, threads, 10, iters));
        System.out.println(runTransB(1024, 768, 3072, threads, 10, iters));
        System.out.println(runTransB(1024, 768, 50257, threads, 1, Math.max(1, iters / 4)));
        System.out.println(runTransB(256, 64, 256, 1, 200, iters * 50));
    }
}
