package io.jspeed.comm.local;

import io.jspeed.comm.CommException;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Failures end every rank's wait with one clear message: no hangs, no silent mismatches. */
class LocalFailureTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    /** Long enough that finishing well before it proves the ranks were told, not that they timed out. */
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void rankThatNeverArrivesIsNamedAfterTheDeadline() {
        var seen = new ConcurrentHashMap<Integer, String>();
        assertThatThrownBy(() -> LocalCluster.run(4, SHORT, g -> {
            float[] buf = new float[8];
            g.allReduce(buf, 0, 8, ReduceOp.SUM);
            if (g.rank() == 2) {
                Thread.sleep(1_200); // misses allReduce #2 by far
                return;
            }
            try {
                g.allReduce(buf, 0, 8, ReduceOp.SUM);
            } catch (CommException e) {
                seen.put(g.rank(), e.getMessage());
                throw e;
            }
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("allReduce #2 in group world timed out after 300 ms: rank 2 did not arrive");
        assertThat(seen).containsOnlyKeys(0, 1, 3);
        assertThat(seen.values()).allMatch(m -> m.equals("allReduce #2 in group world timed out after 300 ms: rank 2 did not arrive"));
    }

    @Test
    void rankThatThrowsMakesThePeersFailFastNamingIt() {
        long t0 = System.nanoTime();
        var seen = new ConcurrentHashMap<Integer, String>();
        assertThatThrownBy(() -> LocalCluster.run(3, LONG, g -> {
            float[] buf = new float[1000];
            g.allReduce(buf, 0, 1000, ReduceOp.SUM);
            if (g.rank() == 1) throw new IllegalStateException("boom in backward");
            try {
                g.reduceScatter(buf, 0, buf, 0, 10, ReduceOp.SUM);
            } catch (CommException e) {
                seen.put(g.rank(), e.getMessage());
                throw e;
            }
        }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom in backward");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(LONG.dividedBy(4));
        assertThat(seen).containsOnlyKeys(0, 2);
        assertThat(seen.values()).allSatisfy(m -> assertThat(m)
                .startsWith("reduceScatter #2 in group world aborted: rank 1 failed: ")
                .contains("IllegalStateException: boom in backward"));
    }

    @Test
    void rankInterruptedInsideACollectiveEndsItForEveryone() {
        long t0 = System.nanoTime();
        Thread[] threads = new Thread[3];
        var seen = new ConcurrentHashMap<Integer, String>();
        assertThatThrownBy(() -> LocalCluster.run(3, LONG, g -> {
            threads[g.rank()] = Thread.currentThread();
            g.barrier();
            if (g.rank() == 0) {
                Thread.sleep(200); // rank 1 is by now waiting inside allReduce #2
                threads[1].interrupt();
            }
            try {
                g.allReduce(new float[4], 0, 4, ReduceOp.SUM);
            } catch (CommException e) {
                seen.put(g.rank(), e.getMessage());
                throw e;
            }
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("allReduce #2 in group world: rank 1 was interrupted while waiting");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(LONG.dividedBy(4));
        assertThat(seen).containsOnlyKeys(0, 1, 2);
        assertThat(seen.values()).containsOnly("allReduce #2 in group world: rank 1 was interrupted while waiting");
    }

    @Test
    void rankThatReturnsEarlyIsNamed() {
        assertThatThrownBy(() -> LocalCluster.run(2, LONG, g -> {
            if (g.rank() == 0) g.barrier();
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("barrier #1 in group world: rank 1 finished without calling it");
    }

    @Test
    void mismatchedCountsNameBothCalls() {
        assertThatThrownBy(() -> LocalCluster.run(3, LONG, g -> {
            float[] buf = new float[10];
            g.allReduce(buf, 0, g.rank() == 2 ? 8 : 7, ReduceOp.SUM);
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("allReduce #1 in group world: mismatched calls: rank 0 called allReduce(float, count=7, SUM)"
                        + " but rank 2 called allReduce(float, count=8, SUM)");
    }

    @Test
    void mismatchedOperationsNameBothCalls() {
        assertThatThrownBy(() -> LocalCluster.run(2, LONG, g -> {
            float[] buf = new float[10];
            if (g.rank() == 0) g.broadcast(buf, 0, 10, 0);
            else g.allGather(buf, 0, buf, 0, 5);
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("broadcast #1 in group world: mismatched calls: rank 0 called broadcast(float, count=10, root=0)"
                        + " but rank 1 called allGather(float, count=5)");
    }

    @Test
    void badArgumentsOnOneRankAreReportedAndEndThePeers() {
        assertThatThrownBy(() -> LocalCluster.run(2, LONG, g -> {
            float[] buf = new float[g.rank() == 1 ? 5 : 10];
            g.allReduce(buf, 0, 10, ReduceOp.MAX);
        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allReduce #1 in group world: buf range [0, 10) does not fit its array of length 5");
    }

    @Test
    void sendRecvCountMismatchFailsBothSides() {
        assertThatThrownBy(() -> LocalCluster.run(2, LONG, g -> {
            float[] buf = new float[10];
            if (g.rank() == 0) g.send(buf, 0, 10, 1, 7);
            else g.recv(buf, 0, 9, 0, 7);
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("recv of 9 floats at rank 1 from rank 0 (tag 7) in group world: mismatched counts: rank 0 sent 10 floats");
    }

    @Test
    void recvWithoutSenderTimesOut() {
        assertThatThrownBy(() -> LocalCluster.run(2, SHORT, g -> {
            if (g.rank() == 1) g.recv(new float[3], 0, 3, 0, 4);
            else Thread.sleep(1_000);
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("recv of 3 floats at rank 1 from rank 0 (tag 4) in group world timed out after 300 ms: rank 0 did not send it");
    }

    @Test
    void groupsFromCreateFailFastWhenAPeerClosesItsHandle() throws Exception {
        List<ProcessGroup> groups = LocalCluster.create(2, LONG);
        var error = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        CountDownLatch done = new CountDownLatch(1);
        Thread.ofPlatform().start(() -> {
            try {
                groups.get(0).barrier();
            } catch (Throwable t) {
                error.set(t);
            }
            done.countDown();
        });
        groups.get(1).close();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(error.get()).isInstanceOf(CommException.class)
                .hasMessage("barrier #1 in group world: rank 1 closed its handle of the group first");
    }

    @Test
    void aHandleServesOneThreadAtATime() throws Exception {
        List<ProcessGroup> groups = LocalCluster.create(2, SHORT);
        var first = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                groups.get(0).barrier(); // rank 1 never comes: waits until the deadline
            } catch (Throwable t) {
                first.set(t);
            }
        });
        Thread.sleep(50);
        assertThatThrownBy(() -> groups.get(0).barrier())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("called while another call is in progress");
        waiter.join(10_000);
        assertThat(first.get()).isInstanceOf(CommException.class);
    }

    @Test
    void subGroupTimeoutNamesWorldRanks() {
        assertThatThrownBy(() -> LocalCluster.run(4, SHORT, g -> {
            ProcessGroup pair = g.split(g.rank() % 2, g.rank(), "pair[" + g.rank() % 2 + "]");
            if (g.rank() == 3) {
                Thread.sleep(1_000);
                return;
            }
            if (g.rank() == 1) pair.barrier();
        }))
                .isInstanceOf(CommException.class)
                .hasMessage("barrier #1 in group pair[1] timed out after 300 ms: rank 1 (world rank 3) did not arrive");
    }
}
