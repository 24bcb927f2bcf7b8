package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * DRAM bandwidth as STREAM's triad measures it, a[i] = b[i] + s·c[i] over arrays far larger than the caches, split
 * across the pool: the ceiling a memory-bound decode step (one pass over the weights per token) can reach.
 */
public final class StreamTriad {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** 3 arrays of 64 MiB: well past any L3 this machine kind has had (32 MiB, and 480 MiB only on one host shared by all). */
    private static final int ELEMENTS = 16 << 20;

    private StreamTriad() {}

    /** Best of {@code repetitions} runs, in GB/s (1e9 bytes; 12 bytes per element: two reads and one write). */
    public static double measureGbps(Parallel pool, int repetitions) {
        float[] a = new float[ELEMENTS], b = new float[ELEMENTS], c = new float[ELEMENTS];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        double best = 0;
        for (int rep = 0; rep <= repetitions; rep++) {
            long t0 = System.nanoTime();
            pool.forRange(ELEMENTS, (s, e) -> triad(a, b, c, 3f, s, e));
            double seconds = (System.nanoTime() - t0) * 1e-9;
            if (rep > 0) best = Math.max(best, 12.0 * ELEMENTS / seconds / 1e9); // rep 0 warms up (page faults, JIT)
        }
        return best;
    }

    private static void triad(float[] a, float[] b, float[] c, float s, int start, int end) {
        int i = start;
        for (int bound = start + F.loopBound(end - start); i < bound; i += F.length())
            FloatVector.fromArray(F, c, i).fma(FloatVector.broadcast(F, s), FloatVector.fromArray(F, b, i)).intoArray(a, i);
        for (; i < end; i++) a[i] = b[i] + s * c[i];
    }
}
