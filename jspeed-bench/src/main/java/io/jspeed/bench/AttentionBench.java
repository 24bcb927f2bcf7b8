package io.jspeed.bench;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.AttentionShape;
import io.jspeed.tensor.kernel.AttentionTiles;
import io.jspeed.tensor.kernel.FlashAttention;
import io.jspeed.tensor.kernel.SavedProbabilityAttention;
import io.jspeed.tensor.kernel.Strided;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Causal attention alone, forward + backward, on a packed qkv buffer laid out as GPT-2 passes it: the tiled
 * {@link FlashAttention} against the kernel it replaced ({@link SavedProbabilityAttention}, probabilities saved
 * and recomputed), in GFLOP/s of the 7 causal matrix products of forward + backward (recomputation not counted),
 * and as a fraction of the machine's measured FMA peak.
 */
public final class AttentionBench {

    /** Longest sequence the old kernel runs at: it needs T^2 floats per head and is quadratic in time anyway. */
    public static final int OLD_KERNEL_MAX_SEQ = 4096;

    /** Most saved-probability bytes the old kernel's "saved" mode may allocate here. */
    private static final long SAVED_PROBS_LIMIT = 1L << 30;

    /** Milliseconds per forward+backward; NaN when not run. */
    public record Result(AttentionShape shape, int threads, AttentionTiles tiles, HostCaches caches, double peakGflops,
                         double flashMs, double oldSavedMs, double oldRecomputedMs, double maxAbsDiffVsOld) {

        public double gflops(double ms) {
            return shape.flopsForwardBackward() / (ms * 1e-3) / 1e9;
        }

        /** Flash speed over the faster of the old kernel's two modes. */
        public double speedup() {
            double old = Double.isNaN(oldSavedMs) ? oldRecomputedMs : Double.isNaN(oldRecomputedMs) ? oldSavedMs : Math.min(oldSavedMs, oldRecomputedMs);
            return old / flashMs;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"bench\":\"attention\",\"batch\":%d,\"seq_len\":%d,\"heads\":%d,\"kv_heads\":%d,"
                            + "\"head_dim\":%d,\"threads\":%d,\"query_rows\":%d,\"key_cols\":%d,\"l1d\":%d,\"l2\":%d,\"cpu\":\"%s\","
                            + "\"gflop_per_pass\":%.3f,\"flash_ms\":%.3f,\"flash_gflops\":%.2f,\"old_saved_ms\":%s,\"old_saved_gflops\":%s,"
                            + "\"old_recomputed_ms\":%s,\"old_recomputed_gflops\":%s,\"speedup\":%s,\"peak_gflops\":%.1f,"
                            + "\"flash_fraction_of_peak\":%.4f,\"max_abs_diff_vs_old\":%s}",
                    shape.batch(), shape.seqLen(), shape.qHeads(), shape.kvHeads(), shape.headDim(), threads, tiles.queryRows(),
                    tiles.keyCols(), caches.l1d(), caches.l2(), caches.cpuModel().replace("\"", "'"), shape.flopsForwardBackward() / 1e9,
                    flashMs, gflops(flashMs), num(oldSavedMs), num(gflops(oldSavedMs)), num(oldRecomputedMs),
                    num(gflops(oldRecomputedMs)), num(speedup()), peakGflops, gflops(flashMs) / peakGflops, num(maxAbsDiffVsOld));
        }

        private static String num(double x) {
            return Double.isNaN(x) ? "null" : String.format(Locale.ROOT, "%.4g", x);
        }
    }

    private AttentionBench() {}

    /** iterations 0 = at least 3 and at least 2 s per kernel, after an untimed warm-up of the same length. */
    public static Result run(AttentionShape s, Parallel pool, int iterations, double peakGflops) {
        int rows = s.batch() * s.seqLen(), d = s.headDim(), qWidth = s.qHeads() * d, kvWidth = s.kvHeads() * d;
        int stride = qWidth + 2 * kvWidth;
        long qkvFloats = (long) rows * stride;
        if (qkvFloats > Integer.MAX_VALUE) throw new IllegalArgumentException("qkv of " + qkvFloats + " floats does not fit one array; reduce --batch or --seq");
        SplittableRandom random = new SplittableRandom(7);
        float[] qkv = new float[rows * stride], dOut = new float[rows * qWidth];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) random.nextGaussian();
        for (int i = 0; i < dOut.length; i++) dOut[i] = (float) random.nextGaussian();
        float[] out = new float[rows * qWidth], dqkv = new float[qkv.length], lse = new float[s.lseLength()];
        Strided q = new Strided(qkv, 0, stride), k = q.shift(qWidth), v = q.shift(qWidth + kvWidth);
        Strided dq = new Strided(dqkv, 0, stride), dk = dq.shift(qWidth), dv = dq.shift(qWidth + kvWidth);
        Strided o = new Strided(out, 0, qWidth), dO = new Strided(dOut, 0, qWidth);

        double flashMs = time(iterations, () -> {
            FlashAttention.forward(pool, s, q, k, v, o, lse);
            Arrays.fill(dqkv, 0f);
            FlashAttention.backward(pool, s, q, k, v, o, lse, dO, dq, dk, dv);
        });
        double savedMs = Double.NaN, recomputedMs = Double.NaN, diff = Double.NaN;
        if (s.seqLen() <= OLD_KERNEL_MAX_SEQ) {
            float[] flashOut = out.clone(), oldOut = new float[out.length];
            long probsBytes = 4L * s.batch() * s.qHeads() * s.seqLen() * s.seqLen();
            if (probsBytes <= SAVED_PROBS_LIMIT) {
                float[] probs = new float[(int) (probsBytes / 4)];
                savedMs = time(iterations, () -> old(pool, s, qkv, stride, oldOut, probs, dOut, dqkv));
            }
            recomputedMs = time(iterations, () -> old(pool, s, qkv, stride, oldOut, null, dOut, dqkv));
            diff = 0;
            for (int i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(flashOut[i] - oldOut[i]));
        }
        return new Result(s, pool.threads(), FlashAttention.tiles(d), HostCaches.read(), peakGflops, flashMs, savedMs, recomputedMs, diff);
    }

    private static void old(Parallel pool, AttentionShape s, float[] qkv, int stride, float[] out, float[] probs, float[] dOut, float[] dqkv) {
        int qWidth = s.qHeads() * s.headDim(), kvWidth = s.kvHeads() * s.headDim();
        SavedProbabilityAttention.forward(pool, out, 0, probs, 0, qkv, 0, stride, qkv, qWidth, stride, qkv, qWidth + kvWidth, stride,
                s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
        Arrays.fill(dqkv, 0f);
        SavedProbabilityAttention.backward(pool, dqkv, 0, stride, dqkv, qWidth, stride, dqkv, qWidth + kvWidth, stride, dOut, 0, probs, 0,
                qkv, 0, stride, qkv, qWidth, stride, qkv, qWidth + kvWidth, stride, s.batch(), s.seqLen(), s.qHeads(), s.kvHeads(), s.headDim());
    }

    /**
     * Median milliseconds of one call, after untimed calls for the JIT: at least 3 s and 10 calls, or 30 s when
     * calls are slow. Vector code runs ~100x slower until C2 has compiled it, so a short warm-up would time the
     * kernel measured first partly interpreted.
     */
    private static double time(int iterations, Runnable pass) {
        long start = System.nanoTime();
        int calls = 0;
        for (long elapsed = 0; elapsed < 3_000_000_000L || (calls < 10 && elapsed < 30_000_000_000L); elapsed = System.nanoTime() - start) {
            pass.run();
            calls++;
        }
        java.util.List<Double> ms = new java.util.ArrayList<>();
        long end = System.nanoTime() + 2_000_000_000L;
        while (iterations > 0 ? ms.size() < iterations : ms.size() < 3 || System.nanoTime() < end) {
            long t0 = System.nanoTime();
            pass.run();
            ms.add((System.nanoTime() - t0) * 1e-6);
        }
        return TrainBench.median(ms.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
