package io.jspeed.comm.local;

import io.jspeed.comm.CommException;
import io.jspeed.comm.ProcessGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * N ranks in this JVM that share memory: {@link #create} makes their world group (one handle per rank, each used
 * by its own thread); {@link #run} and {@link #call} also start the threads, wait for them, and turn the first
 * failure into the exception the caller sees. A failure on any rank breaks every group of the cluster, so the
 * other ranks stop at their current or next collective instead of waiting for it.
 */
public final class LocalCluster {

    /** The work of one rank, given that rank's world group. */
    @FunctionalInterface
    public interface RankBody {
        void run(ProcessGroup group) throws Exception;
    }

    /** The work of one rank, with a result. */
    @FunctionalInterface
    public interface RankFunction<T> {
        T apply(ProcessGroup group) throws Exception;
    }

    private static final Duration LONGEST_TIMEOUT = Duration.ofDays(365);

    private LocalCluster() {
    }

    /** The world group of {@code ranks} in-process ranks, named "world"; every collective's deadline is {@code timeout}. */
    public static List<ProcessGroup> create(int ranks, Duration timeout) {
        return List.copyOf(world(ranks, timeout));
    }

    private static List<LocalGroup> world(int ranks, Duration timeout) {
        if (ranks < 1) throw new IllegalArgumentException("ranks must be >= 1, got " + ranks);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        int[] worldRanks = new int[ranks];
        for (int r = 0; r < ranks; r++) worldRanks[r] = r;
        // Capped so that start + timeout cannot overflow a nanoTime deadline; a year is "no deadline" in practice.
        long nanos = timeout.compareTo(LONGEST_TIMEOUT) > 0 ? LONGEST_TIMEOUT.toNanos() : timeout.toNanos();
        Rendezvous rv = new Rendezvous("world", worldRanks, nanos, new ClusterHealth(ranks));
        List<LocalGroup> groups = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) groups.add(new LocalGroup(rv, r));
        return groups;
    }

    /** Runs body on {@code ranks} threads, one per rank; see {@link #call}. */
    public static void run(int ranks, Duration timeout, RankBody body) {
        call(ranks, timeout, g -> {
            body.run(g);
            return null;
        });
    }

    /**
     * Runs body on {@code ranks} threads, one per rank, and returns the results in rank order. If any rank fails, throws
     * the exception of the rank that failed first (unchecked ones as they are, checked ones inside a
     * {@link CommException}) with the other ranks' exceptions suppressed. Returns only when every rank has ended.
     */
    public static <T> List<T> call(int ranks, Duration timeout, RankFunction<T> body) {
        List<LocalGroup> groups = world(ranks, timeout);
        ClusterHealth health = groups.getFirst().rv().health;
        List<T> results = new ArrayList<>(Collections.nCopies(ranks, null));
        Throwable[] thrown = new Throwable[ranks];
        Thread[] threads = new Thread[ranks];
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            LocalGroup group = groups.get(r);
            threads[r] = Thread.ofPlatform().name("jspeed-rank-" + r).daemon().unstarted(() -> {
                try {
                    results.set(rank, body.apply(group));
                } catch (Throwable t) {
                    thrown[rank] = t;
                    health.fail(new ClusterHealth.Failure(rank, "rank " + rank + " failed: " + t, t, null, -1));
                } finally {
                    // After the failure is recorded, so the peers report the failure and not the departure.
                    health.depart(rank);
                    group.close();
                }
            });
        }
        for (Thread t : threads) t.start();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    health.fail(new ClusterHealth.Failure(-1, "the thread running the cluster was interrupted", e, null, -1));
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        ClusterHealth.Failure first = health.failure();
        if (first == null) return results;
        int origin = first.worldRank() >= 0 && thrown[first.worldRank()] != null ? first.worldRank() : firstThrown(thrown);
        if (origin < 0) throw new CommException(first.message(), first.cause());
        Throwable root = thrown[origin];
        for (int r = 0; r < ranks; r++) if (r != origin && thrown[r] != null) root.addSuppressed(thrown[r]);
        if (root instanceof RuntimeException e) throw e;
        if (root instanceof Error e) throw e;
        throw new CommException("rank " + origin + " failed: " + root, root);
    }

    private static int firstThrown(Throwable[] thrown) {
        for (int r = 0; r < thrown.length; r++) if (thrown[r] != null) return r;
        return -1;
    }
}
