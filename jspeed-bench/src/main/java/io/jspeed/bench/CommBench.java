package io.jspeed.bench;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import io.jspeed.comm.local.LocalCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Collective bandwidth as nccl-tests reports it, per collective and message size, beside a memcpy bandwidth measured
 * in the same run. algbw = bytes / time with bytes the full buffer (allReduce: the buffer; reduceScatter: the send
 * buffer; allGather: the receive buffer; allToAll: the send buffer; broadcast: the buffer); busbw = algbw times
 * the collective's bus factor (allReduce 2(n-1)/n; reduceScatter, allGather and allToAll (n-1)/n; broadcast 1),
 * which makes busbw comparable with the hardware bandwidth whatever the rank count.
 *
 * <p>{@link #run} is called on every rank with that rank's group and works for any backend: the in-process one
 * (several ranks in this process, see {@link #runLocal}) or MPI (this process is one rank). Rank 0 times and returns
 * the results; the other ranks return null.
 */
public final class CommBench {

    /** The memcpy reference: one thread's System.arraycopy of this many bytes. */
    public static final long MEMCPY_BYTES = 64L << 20;
    public static final long MIN_BYTES = 1L << 10;
    /** Iterations per size are about this many bytes' worth, within [MIN_ITERATIONS, MAX_ITERATIONS]. */
    private static final long BYTES_PER_SIZE = 2L << 30;
    private static final int MIN_ITERATIONS = 5;
    /** The default cap on timed iterations per size (small sizes would otherwise run millions). */
    public static final int MAX_ITERATIONS = 500;

    /** The collectives measured. */
    public enum Collective {
        ALL_REDUCE("allReduce"), REDUCE_SCATTER("reduceScatter"), ALL_GATHER("allGather"), ALL_TO_ALL("allToAll"),
        BROADCAST("broadcast");

        public final String label;

        Collective(String label) {
            this.label = label;
        }

        /** nccl-tests' factor from algbw to busbw for n ranks. */
        public double busFactor(int n) {
            return switch (this) {
                case ALL_REDUCE -> 2.0 * (n - 1) / n;
                case REDUCE_SCATTER, ALL_GATHER, ALL_TO_ALL -> (double) (n - 1) / n;
                case BROADCAST -> 1.0;
            };
        }
    }

    /** One collective at one size: seconds per call, averaged over the timed loop (see {@link #time}). */
    public record Result(String backend, String op, long bytes, int ranks, int iterations, double seconds,
                         double algbwGbps, double busbwGbps) {

        public String toJson() {
            return String.format(Locale.ROOT, "{\"backend\":\"%s\",\"op\":\"%s\",\"bytes\":%d,\"ranks\":%d,\"iterations\":%d,"
                            + "\"time_us\":%.2f,\"algbw_gbps\":%.3f,\"busbw_gbps\":%.3f}",
                    backend, op, bytes, ranks, iterations, seconds * 1e6, algbwGbps, busbwGbps);
        }
    }

    /** A whole run: the memcpy reference and the collectives. */
    public record Report(String backend, int ranks, double memcpyGbps, List<Result> results) {

        public String memcpyJson() {
            return String.format(Locale.ROOT, "{\"memcpy_gbps\":%.3f,\"bytes\":%d}", memcpyGbps, MEMCPY_BYTES);
        }

        public List<String> jsonLines() {
            List<String> lines = new ArrayList<>();
            lines.add(memcpyJson());
            for (Result r : results) lines.add(r.toJson());
            return lines;
        }

        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "comm bench: backend %s, %d ranks; memcpy %.2f GB/s (System.arraycopy of %s, one thread)%n",
                    backend, ranks, memcpyGbps, size(MEMCPY_BYTES)));
            b.append(String.format(Locale.ROOT, "%-14s %10s %6s %12s %11s %11s %9s%n",
                    "op", "size", "iters", "time us", "algbw GB/s", "busbw GB/s", "/memcpy"));
            for (Result r : results) {
                b.append(String.format(Locale.ROOT, "%-14s %10s %6d %12.2f %11.3f %11.3f %8.1f%%%n", r.op(), size(r.bytes()),
                        r.iterations(), r.seconds() * 1e6, r.algbwGbps(), r.busbwGbps(), 100 * r.busbwGbps() / memcpyGbps));
            }
            for (Result r : results) {
                if (r.op().equals(Collective.ALL_REDUCE.label) && r.bytes() == 64L << 20 && ranks > 1) {
                    b.append(String.format(Locale.ROOT, "allReduce 64 MiB busbw is %.0f%% of memcpy (target >= 50%%)%n",
                            100 * r.busbwGbps() / memcpyGbps));
                }
            }
            return b.toString();
        }
    }

    private CommBench() {
    }

    /** Runs every rank of an in-process cluster of {@code ranks} and returns rank 0's report. */
    public static Report runLocal(int ranks, long maxBytes, int maxIterations, Duration timeout) {
        checkHeap(ranks, maxBytes);
        List<Report> reports = LocalCluster.call(ranks, timeout, g -> run(g, "local", maxBytes, maxIterations));
        return reports.getFirst();
    }

    /**
     * This rank's part of the benchmark: call it on every rank of {@code group}, in the same order as any other
     * collectives. Each size runs about 2 GiB worth of calls, at least 5 and at most {@code maxIterations}.
     * Returns the report on rank 0 and null on the others.
     */
    public static Report run(ProcessGroup group, String backend, long maxBytes, int maxIterations) {
        if (maxBytes < MIN_BYTES) throw new IllegalArgumentException("--max-bytes must be >= " + MIN_BYTES + ", got " + maxBytes);
        if (maxIterations < 1) throw new IllegalArgumentException("--max-iterations must be >= 1, got " + maxIterations);
        checkHeap(1, maxBytes);
        double memcpy = group.rank() == 0 ? memcpyGbps() : 0;
        group.barrier();
        List<Result> results = new ArrayList<>();
        for (Collective c : Collective.values()) {
            for (long bytes = MIN_BYTES; bytes <= maxBytes; bytes *= 4) {
                Result r = measure(group, backend, c, bytes, maxIterations);
                if (group.rank() == 0) results.add(r);
            }
        }
        return group.rank() == 0 ? new Report(backend, group.size(), memcpy, List.copyOf(results)) : null;
    }

    /**
     * Fails with a clear message, before anything is allocated, when {@code ranksInProcess} ranks with buffers of
     * {@code maxBytes} would not fit the heap (each rank holds at most two full-size buffers at a time).
     */
    public static void checkHeap(int ranksInProcess, long maxBytes) {
        long need = ranksInProcess * 2L * maxBytes + 2 * MEMCPY_BYTES;
        long have = Runtime.getRuntime().maxMemory();
        if (need > have * 0.8) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--max-bytes %d with %d rank(s) in this process needs about %s of heap, this JVM has %s:"
                            + " lower --max-bytes or raise -Xmx (JSPEED_JAVA_OPTS)", maxBytes, ranksInProcess, size(need), size(have)));
        }
        if (maxBytes / 4 > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("--max-bytes " + maxBytes + " exceeds one Java array of floats (8 GiB)");
        }
    }

    /** One thread's System.arraycopy bandwidth over {@link #MEMCPY_BYTES}: bytes copied per second, median of 7. */
    public static double memcpyGbps() {
        float[] src = new float[(int) (MEMCPY_BYTES / 4)];
        float[] dst = new float[src.length];
        Arrays.fill(src, 1f);
        long[] nanos = new long[7];
        System.arraycopy(src, 0, dst, 0, src.length); // first touch of dst
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return MEMCPY_BYTES / (double) nanos[nanos.length / 2];
    }

    private static Result measure(ProcessGroup g, String backend, Collective c, long bytes, int maxIterations) {
        int n = g.size();
        int count = (int) (bytes / 4);
        int perRank = count / n;
        long measured = switch (c) {
            case ALL_REDUCE, BROADCAST -> 4L * count;
            case REDUCE_SCATTER, ALL_GATHER, ALL_TO_ALL -> 4L * perRank * n;
        };
        // Same on every rank (it depends only on the size), so all ranks run the same number of collectives.
        int iterations = Math.min(maxIterations, Math.clamp(BYTES_PER_SIZE / bytes, MIN_ITERATIONS, MAX_ITERATIONS));
        int warmup = Math.max(1, iterations / 5);
        Runnable op = switch (c) {
            case ALL_REDUCE -> {
                float[] buf = filled(count);
                yield () -> g.allReduce(buf, 0, count, ReduceOp.SUM);
            }
            case REDUCE_SCATTER -> {
                float[] send = filled(perRank * n);
                float[] recv = new float[perRank];
                yield () -> g.reduceScatter(send, 0, recv, 0, perRank, ReduceOp.SUM);
            }
            case ALL_GATHER -> {
                float[] send = filled(perRank);
                float[] recv = new float[perRank * n];
                yield () -> g.allGather(send, 0, recv, 0, perRank);
            }
            case ALL_TO_ALL -> {
                float[] send = filled(perRank * n);
                float[] recv = new float[perRank * n];
                yield () -> g.allToAll(send, 0, recv, 0, perRank);
            }
            case BROADCAST -> {
                float[] buf = filled(count);
                yield () -> g.broadcast(buf, 0, count, 0);
            }
        };
        for (int i = 0; i < warmup; i++) op.run();
        double seconds = time(g, op, iterations);
        double algbw = measured / seconds / 1e9;
        return new Result(backend, c.label, measured, n, iterations, seconds, algbw, algbw * c.busFactor(n));
    }

    /**
     * Seconds per call on this rank, between two barriers: every call synchronizes the ranks, so the loop's time on
     * one rank is the group's time.
     */
    private static double time(ProcessGroup g, Runnable op, int iterations) {
        g.barrier();
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) op.run();
        g.barrier();
        return (System.nanoTime() - t0) * 1e-9 / iterations;
    }

    /** Small positive values: sums stay normal floats (denormals would slow the reduction down). */
    private static float[] filled(int count) {
        float[] x = new float[count];
        Arrays.fill(x, 1e-3f);
        return x;
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) return (bytes >> 10) + " KiB";
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return bytes + " B";
    }
}
