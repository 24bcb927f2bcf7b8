package io.jspeed.comm.mpi;

import io.jspeed.comm.CommException;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of {@link MpiGroupTest}, started by mpirun. Every rank can compute what every rank contributes
 * (a function of seed, rank and index), so each checks its own results against a naive reduction. Values are small
 * integers, so float sums are exact in any order and results are compared bit for bit.
 *
 * <p>{@code collectives}: every collective at odd sizes and offsets, on the world and on split sub-groups; prints
 * {@code MPI-CHECK OK rank=r size=n checks=k} and exits 0, or {@code MPI-CHECK FAIL ...} and aborts.
 * {@code deadline}: rank 0 skips a broadcast (a polled, nonblocking collective); the others time out, print
 * {@code MPI-DEADLINE ...} and abort(3). {@code watchdog}: rank 0 skips an allReduce (a blocking bulk collective); the
 * others' watchdog reports it and aborts the job (code 4).
 */
public final class MpiCollectivesCheck {

    private static final int[] COUNTS = {0, 1, 3, 17, 1001, 65_537};
    private static final int OFF = 5;
    private static final float SENTINEL = -12345f;

    private int checks;

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "collectives";
        if (mode.equals("deadline")) {
            deadline();
            return;
        }
        if (mode.equals("watchdog")) {
            watchdog();
            return;
        }
        MpiGroup world = MpiGroup.world(Duration.ofSeconds(20));
        try {
            MpiCollectivesCheck check = new MpiCollectivesCheck();
            check.all(world, identity(world.size()));
            ProcessGroup half = world.split(world.rank() % 2, -world.rank());
            check.all(half, members(world, world.rank() % 2));
            half.close();
            check.equal("log calls", world.log().snapshot().get("allReduce").calls() > 0 ? 1 : 0, 1);
            ProcessGroup outlived = world.split(0, world.rank());
            world.close();
            check.refused("collective after the world closed", () -> outlived.barrier());
            outlived.close(); // after MPI_Finalize: must not call MPI
            System.out.println("MPI-CHECK OK rank=" + world.rank() + " size=" + world.size() + " checks=" + check.checks);
        } catch (RuntimeException | AssertionError e) {
            System.out.println("MPI-CHECK FAIL rank=" + world.rank() + " " + e);
            e.printStackTrace();
            world.abort(2);
        }
    }

    private static void watchdog() {
        MpiGroup world = MpiGroup.world(Duration.ofMillis(1500));
        float[] buf = new float[8];
        world.allReduce(buf, 0, buf.length, ReduceOp.SUM); // everyone arrives: collective #0 works
        if (world.rank() == 0) {
            sleepQuietly(60_000); // skips collective #1; the watchdog's abort on a peer ends this process
            System.out.println("MPI-WATCHDOG rank 0 was not aborted");
            System.exit(1);
        }
        world.allReduce(buf, 0, buf.length, ReduceOp.SUM);
        System.out.println("MPI-WATCHDOG rank " + world.rank() + " completed a collective rank 0 skipped");
        System.exit(1);
    }

    private static void deadline() {
        MpiGroup world = MpiGroup.world(Duration.ofMillis(1500));
        float[] buf = new float[8];
        world.broadcast(buf, 0, buf.length, 0); // everyone arrives: collective #0 works
        if (world.rank() == 0) {
            sleepQuietly(60_000); // skips collective #1; the abort of a peer ends this process
            System.out.println("MPI-DEADLINE rank 0 was not aborted");
            System.exit(1);
        }
        long t0 = System.nanoTime();
        try {
            world.broadcast(buf, 0, buf.length, 0);
            System.out.println("MPI-DEADLINE rank " + world.rank() + " completed a collective rank 0 skipped");
            world.abort(1);
        } catch (CommException e) {
            System.out.printf("MPI-DEADLINE rank=%d after %.1f s: %s%n", world.rank(), (System.nanoTime() - t0) * 1e-9, e.getMessage());
            try {
                world.barrier();
                System.out.println("MPI-DEADLINE the broken group ran another collective");
            } catch (CommException refused) {
                System.out.println("MPI-DEADLINE then refused: " + refused.getMessage());
            }
            world.abort(3);
        }
    }

    /** The world ranks that form sub-group {@code color} of split(rank % 2, -rank): in sub-rank order (key descending rank). */
    private static int[] members(MpiGroup world, int color) {
        List<Integer> m = new ArrayList<>();
        for (int r = world.size() - 1; r >= 0; r--) if (r % 2 == color) m.add(r);
        return m.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] identity(int n) {
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    /** What world rank {@code r} contributes at index {@code i} of test {@code seed}: a small integer, so sums are exact. */
    private static float value(int seed, int r, int i) {
        return (float) (Math.floorMod(seed * 7919 + r * 131 + i * 17 + i / 7, 23) - 11);
    }

    /** @param ids world rank of each group rank */
    private void all(ProcessGroup g, int[] ids) {
        equal(g.name() + " size", g.size(), ids.length);
        int me = g.rank();
        int seed = 1;
        for (int count : COUNTS) {
            for (ReduceOp op : ReduceOp.values()) allReduce(g, ids, seed++, count, op);
            allReduceDouble(g, ids, seed++, count);
            reduceScatter(g, ids, seed++, count, ReduceOp.SUM);
            reduceScatter(g, ids, seed++, count, ReduceOp.AVG);
            allGather(g, ids, seed++, count);
            allToAll(g, ids, seed++, count);
            broadcast(g, ids, seed++, count, g.size() - 1);
            ring(g, ids, seed++, count);
        }
        g.barrier();
        equal(g.name() + " rank in range", me >= 0 && me < g.size() ? 1 : 0, 1);
    }

    private float reduce(int seed, int[] ids, int i, ReduceOp op) {
        float acc = op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY : 0f;
        for (int id : ids) acc = op == ReduceOp.MAX ? Math.max(acc, value(seed, id, i)) : acc + value(seed, id, i);
        return op == ReduceOp.AVG ? acc / ids.length : acc;
    }

    private void allReduce(ProcessGroup g, int[] ids, int seed, int count, ReduceOp op) {
        float[] buf = filled(count);
        for (int i = 0; i < count; i++) buf[OFF + i] = value(seed, ids[g.rank()], i);
        g.allReduce(buf, OFF, count, op);
        float[] want = filled(count);
        for (int i = 0; i < count; i++) want[OFF + i] = reduce(seed, ids, i, op);
        same(g.name() + " allReduce " + op + " n=" + count, buf, want);
    }

    private void allReduceDouble(ProcessGroup g, int[] ids, int seed, int count) {
        double[] buf = new double[count + OFF + 2];
        Arrays.fill(buf, SENTINEL);
        double[] want = buf.clone();
        for (int i = 0; i < count; i++) {
            buf[OFF + i] = value(seed, ids[g.rank()], i) + 0.25;
            want[OFF + i] = reduce(seed, ids, i, ReduceOp.SUM) + 0.25 * ids.length;
        }
        g.allReduce(buf, OFF, count, ReduceOp.SUM);
        if (!Arrays.equals(buf, want)) throw new AssertionError(g.name() + " allReduce double n=" + count + " differs");
        checks++;
    }

    private void reduceScatter(ProcessGroup g, int[] ids, int seed, int count, ReduceOp op) {
        int n = g.size();
        float[] send = new float[n * count + 3];
        for (int i = 0; i < n * count; i++) send[3 + i] = value(seed, ids[g.rank()], i);
        float[] recv = filled(count);
        g.reduceScatter(send, 3, recv, OFF, count, op);
        float[] want = filled(count);
        for (int i = 0; i < count; i++) want[OFF + i] = reduce(seed, ids, g.rank() * count + i, op);
        same(g.name() + " reduceScatter " + op + " n=" + count, recv, want);
    }

    private void allGather(ProcessGroup g, int[] ids, int seed, int count) {
        int n = g.size();
        float[] send = new float[count + 1];
        for (int i = 0; i < count; i++) send[1 + i] = value(seed, ids[g.rank()], i);
        float[] recv = filled(n * count);
        g.allGather(send, 1, recv, OFF, count);
        float[] want = filled(n * count);
        for (int r = 0; r < n; r++) for (int i = 0; i < count; i++) want[OFF + r * count + i] = value(seed, ids[r], i);
        same(g.name() + " allGather n=" + count, recv, want);
    }

    /** Rank r sends value(seed, r, j * count + i) as element i of block j. */
    private void allToAll(ProcessGroup g, int[] ids, int seed, int count) {
        int n = g.size();
        float[] send = new float[n * count];
        for (int i = 0; i < n * count; i++) send[i] = value(seed, ids[g.rank()], i);
        float[] recv = filled(n * count);
        g.allToAll(send, 0, recv, OFF, count);
        float[] want = filled(n * count);
        for (int src = 0; src < n; src++) {
            for (int i = 0; i < count; i++) want[OFF + src * count + i] = value(seed, ids[src], g.rank() * count + i);
        }
        same(g.name() + " allToAll n=" + count, recv, want);
    }

    private void broadcast(ProcessGroup g, int[] ids, int seed, int count, int root) {
        float[] buf = filled(count);
        for (int i = 0; i < count; i++) buf[OFF + i] = value(seed, ids[g.rank()], i);
        g.broadcast(buf, OFF, count, root);
        float[] want = filled(count);
        for (int i = 0; i < count; i++) want[OFF + i] = value(seed, ids[root], i);
        same(g.name() + " broadcast n=" + count, buf, want);
    }

    /** Each rank sends to the next and receives from the previous; even ranks send first so large messages cannot deadlock. */
    private void ring(ProcessGroup g, int[] ids, int seed, int count) {
        int n = g.size();
        if (n == 1) return;
        int next = (g.rank() + 1) % n;
        int prev = (g.rank() + n - 1) % n;
        float[] mine = new float[count];
        for (int i = 0; i < count; i++) mine[i] = value(seed, ids[g.rank()], i);
        float[] got = filled(count);
        if (g.rank() % 2 == 0) {
            g.send(mine, 0, count, next, seed);
            g.recv(got, OFF, count, prev, seed);
        } else {
            g.recv(got, OFF, count, prev, seed);
            g.send(mine, 0, count, next, seed);
        }
        float[] want = filled(count);
        for (int i = 0; i < count; i++) want[OFF + i] = value(seed, ids[prev], i);
        same(g.name() + " send/recv n=" + count, got, want);
    }

    private static float[] filled(int count) {
        float[] a = new float[count + OFF + 2];
        Arrays.fill(a, SENTINEL); // untouched outside [OFF, OFF+count)
        return a;
    }

    private void same(String what, float[] got, float[] want) {
        if (!Arrays.equals(got, want)) {
            int i = Arrays.mismatch(got, want);
            throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
        }
        checks++;
    }

    private void equal(String what, int got, int want) {
        if (got != want) throw new AssertionError(what + ": " + got + ", expected " + want);
        checks++;
    }

    private void refused(String what, Runnable call) {
        try {
            call.run();
        } catch (IllegalStateException expected) {
            checks++;
            return;
        }
        throw new AssertionError(what + " was not refused");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
