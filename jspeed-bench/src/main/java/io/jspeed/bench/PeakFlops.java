package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.atomic.DoubleAdder;

/**
 * Measures the machine's fp32 FMA peak with independent register-resident accumulator chains (enough of them
 * to cover FMA latency on both ports), on every thread of the pool: the denominator of model FLOPs utilisation.
 */
public final class PeakFlops {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private PeakFlops() {}

    /** Best of several short timed rounds (after the JIT has compiled the loop), all threads at once. */
    public static double measureGflops(Parallel pool) {
        long iters = 200_000;
        for (int i = 0; i < 300; i++) chains(1_000); // compile chains() fully before timing it
        double best = 0;
        for (int round = 0; round < 10; round++) {
            long t0 = System.nanoTime();
            double sink = runOn(pool, iters);
            double seconds = (System.nanoTime() - t0) * 1e-9;
            if (Double.isNaN(sink)) return Double.NaN;
            // 12 FMAs per iteration, 2 flops per lane each.
            best = Math.max(best, pool.threads() * iters * 12.0 * 2 * S.length() / seconds / 1e9);
        }
        return best;
    }

    private static double runOn(Parallel pool, long iters) {
        DoubleAdder sink = new DoubleAdder();
        pool.forRange(pool.threads(), (start, end) -> {
            for (int t = start; t < end; t++) sink.add(chains(iters));
        });
        return sink.sum();
    }

    private static double chains(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), a = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
