package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.GemmBlocking;
import io.jspeed.tensor.matmul.Bf16Matrix;
import io.jspeed.tensor.matmul.JavaFp32Matmul;
import io.jspeed.tensor.matmul.MatmulEngine;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/** Wall-clock GEMM throughput driver: median time of repeated C = A·B (or A·Bᵀ) calls through one engine. */
public final class GemmBench {

    /** One measured shape: C[m x n] = A[m x k]·B, median over the timed iterations. */
    public record Result(String engine, int m, int k, int n, boolean transB, int threads, double gflops, double millis) {
        @Override
        public String toString() {
            return "%s %dx%dx%d%s threads=%d: %.1f GFLOP/s (%.3f ms)".formatted(engine, m, k, n, transB ? " (Bt)" : "",
                    threads, gflops, millis);
        }

        public String toJson() {
            return String.format(Locale.ROOT,
                    "{\"bench\":\"gemm\",\"engine\":\"%s\",\"m\":%d,\"k\":%d,\"n\":%d,\"transB\":%s,\"threads\":%d,\"gflops\":%.1f,\"ms\":%.3f}",
                    engine, m, k, n, transB, threads, gflops, millis);
        }
    }

    private GemmBench() {
    }

    /** C = A[m x k]·B[k x n], both stored non-transposed, through the Java fp32 GEMM with the tuned blocking. */
    public static Result run(int m, int k, int n, int threads, int warmup, int iterations) {
        return onFreshPool(false, m, k, n, threads, warmup, iterations);
    }

    /** C = A[m x k]·Bᵀ with B stored [n x k], the shape of Linear forward (x·Wᵀ). */
    public static Result runTransB(int m, int k, int n, int threads, int warmup, int iterations) {
        return onFreshPool(true, m, k, n, threads, warmup, iterations);
    }

    private static Result onFreshPool(boolean transB, int m, int k, int n, int threads, int warmup, int iterations) {
        try (Parallel pool = threads == 1 ? null : new Parallel(threads)) {
            Parallel p = pool == null ? Parallel.serial() : pool;
            return run(new JavaFp32Matmul(GemmBlocking.TUNED), p, m, k, n, transB, warmup, iterations);
        }
    }

    /** C = A[m x k]·op(B) through {@code engine} on {@code pool}; untimed warmup calls first (JIT, oneDNN primitive). */
    public static Result run(MatmulEngine engine, Parallel pool, int m, int k, int n, boolean transB, int warmup, int iterations) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        if ((long) m * k > Integer.MAX_VALUE || (long) k * n > Integer.MAX_VALUE || (long) m * n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GEMM shape " + m + "x" + k + "x" + n + " needs an operand over 2^31 floats");
        }
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        int ldb = transB ? k : n;
        long[] nanos = new long[iterations];
        for (int i = 0; i < warmup; i++) engine.matmul(pool, false, transB, m, n, k, a, 0, k, b, 0, ldb, 0f, c, 0, n);
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            engine.matmul(pool, false, transB, m, n, k, a, 0, k, b, 0, ldb, 0f, c, 0, n);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        double median = nanos[iterations / 2];
        return new Result(engine.name(), m, k, n, transB, pool.threads(), 2.0 * m * n * k / median, median / 1e6);
    }

    /**
     * As {@link #run(MatmulEngine, Parallel, int, int, int, boolean, int, int)} with B converted to bf16 once before
     * timing (a weight converted per optimizer step), so the time leaves out B's conversion; reported as "engine+w".
     */
    public static Result runPreconverted(MatmulEngine engine, Parallel pool, int m, int k, int n, boolean transB,
            int warmup, int iterations) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        float[] a = random(m * k, 1);
        float[] c = new float[m * n];
        long[] nanos = new long[iterations];
        try (Bf16Matrix b = new Bf16Matrix(transB ? n : k, transB ? k : n)) {
            b.update(pool, random(k * n, 2), 0, b.cols());
            for (int i = 0; i < warmup; i++) engine.matmul(pool, false, transB, m, n, k, a, 0, k, b, 0f, c, 0, n);
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                engine.matmul(pool, false, transB, m, n, k, a, 0, k, b, 0f, c, 0, n);
                nanos[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(nanos);
        double median = nanos[iterations / 2];
        return new Result(engine.name() + "+w", m, k, n, transB, pool.threads(), 2.0 * m * n * k / median, median / 1e6);
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
