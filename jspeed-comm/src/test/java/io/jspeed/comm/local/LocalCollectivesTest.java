package io.jspeed.comm.local;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Every collective against a naive loop over all ranks' inputs, for odd sizes, offsets and 1..5 ranks. */
class LocalCollectivesTest {

    private static final int[] SIZES = {0, 1, 7, 1000, 4099};
    private static final int OFF = 3;
    private static final int PAD = 5;
    private static final float SENTINEL = -12345f;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Rank r's input for a test case: values in [-1, 1), different per rank, case and element. */
    static float[] input(int rank, int seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + rank);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** x placed at OFF inside a sentinel-filled array, so writes outside the range show. */
    static float[] padded(float[] x) {
        float[] b = new float[OFF + x.length + PAD];
        Arrays.fill(b, SENTINEL);
        System.arraycopy(x, 0, b, OFF, x.length);
        return b;
    }

    static float[] naiveReduce(float[][] xs, int from, int len, ReduceOp op) {
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            float acc = xs[0][from + i];
            for (int j = 1; j < xs.length; j++) acc = op == ReduceOp.MAX ? Math.max(acc, xs[j][from + i]) : acc + xs[j][from + i];
            out[i] = op == ReduceOp.AVG ? acc / xs.length : acc;
        }
        return out;
    }

    static void assertRange(float[] actual, float[] expected, String what) {
        float[] inRange = Arrays.copyOfRange(actual, OFF, OFF + expected.length);
        if (!Arrays.equals(inRange, expected)) {
            int i = Arrays.mismatch(inRange, expected);
            throw new AssertionError(what + ": element " + i + " is " + inRange[i] + ", expected " + expected[i]);
        }
        for (int i = 0; i < actual.length; i++) {
            if (i < OFF || i >= OFF + expected.length) assertThat(actual[i]).as(what + ": padding at " + i).isEqualTo(SENTINEL);
        }
    }

    private static float[][] all(int ranks, int seed, int n) {
        float[][] xs = new float[ranks][];
        for (int r = 0; r < ranks; r++) xs[r] = input(r, seed, n);
        return xs;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allReduceFloatMatchesNaiveBitwise(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 0;
            for (int n : SIZES) {
                for (ReduceOp op : ReduceOp.values()) {
                    float[][] xs = all(ranks, ++seed, n);
                    float[] buf = padded(xs[g.rank()]);
                    g.allReduce(buf, OFF, n, op);
                    assertRange(buf, naiveReduce(xs, 0, n, op), "allReduce " + op + " n=" + n + " rank " + g.rank());
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allReduceDoubleMatchesNaiveBitwise(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 100;
            for (int n : SIZES) {
                for (ReduceOp op : ReduceOp.values()) {
                    double[][] xs = new double[ranks][n];
                    seed++;
                    for (int r = 0; r < ranks; r++) {
                        SplittableRandom rnd = new SplittableRandom(seed * 31L + r);
                        for (int i = 0; i < n; i++) xs[r][i] = rnd.nextDouble() * 2 - 1;
                    }
                    double[] buf = new double[OFF + n];
                    System.arraycopy(xs[g.rank()], 0, buf, OFF, n);
                    g.allReduce(buf, OFF, n, op);
                    for (int i = 0; i < n; i++) {
                        double acc = xs[0][i];
                        for (int j = 1; j < ranks; j++) acc = op == ReduceOp.MAX ? Math.max(acc, xs[j][i]) : acc + xs[j][i];
                        if (op == ReduceOp.AVG) acc /= ranks;
                        assertThat(buf[OFF + i]).as("double allReduce %s n=%d i=%d", op, n, i).isEqualTo(acc);
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void reduceScatterMatchesNaive(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 200;
            for (int n : SIZES) {
                for (ReduceOp op : ReduceOp.values()) {
                    float[][] xs = all(ranks, ++seed, n * ranks);
                    float[] send = padded(xs[g.rank()]);
                    float[] recv = padded(new float[n]);
                    g.reduceScatter(send, OFF, recv, OFF, n, op);
                    assertRange(recv, naiveReduce(xs, g.rank() * n, n, op), "reduceScatter " + op + " n=" + n);
                    assertRange(send, xs[g.rank()], "reduceScatter leaves send alone");
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void reduceScatterInPlaceIntoOwnBlock(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int n = 1000;
            float[][] xs = all(ranks, 7, n * ranks);
            float[] buf = xs[g.rank()].clone();
            g.reduceScatter(buf, 0, buf, g.rank() * n, n, ReduceOp.SUM);
            float[] expected = naiveReduce(xs, g.rank() * n, n, ReduceOp.SUM);
            assertThat(Arrays.copyOfRange(buf, g.rank() * n, (g.rank() + 1) * n)).containsExactly(expected);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allGatherMatchesNaive(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 300;
            for (int n : SIZES) {
                float[][] xs = all(ranks, ++seed, n);
                float[] recv = padded(new float[n * ranks]);
                g.allGather(padded(xs[g.rank()]), OFF, recv, OFF, n);
                float[] expected = new float[n * ranks];
                for (int r = 0; r < ranks; r++) System.arraycopy(xs[r], 0, expected, r * n, n);
                assertRange(recv, expected, "allGather n=" + n);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allGatherInPlaceFromOwnBlock(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int n = 7;
            float[][] xs = all(ranks, 8, n);
            float[] buf = new float[n * ranks];
            System.arraycopy(xs[g.rank()], 0, buf, g.rank() * n, n);
            g.allGather(buf, g.rank() * n, buf, 0, n);
            for (int r = 0; r < ranks; r++) assertThat(Arrays.copyOfRange(buf, r * n, (r + 1) * n)).containsExactly(xs[r]);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allToAllMatchesNaive(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 400;
            for (int n : SIZES) {
                float[][] xs = all(ranks, ++seed, n * ranks);
                float[] recv = padded(new float[n * ranks]);
                g.allToAll(padded(xs[g.rank()]), OFF, recv, OFF, n);
                float[] expected = new float[n * ranks];
                for (int r = 0; r < ranks; r++) System.arraycopy(xs[r], g.rank() * n, expected, r * n, n);
                assertRange(recv, expected, "allToAll n=" + n);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void broadcastFromEveryRoot(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int seed = 500;
            for (int n : SIZES) {
                for (int root = 0; root < ranks; root++) {
                    float[][] xs = all(ranks, ++seed, n);
                    float[] buf = padded(xs[g.rank()]);
                    g.broadcast(buf, OFF, n, root);
                    assertRange(buf, xs[root], "broadcast n=" + n + " root=" + root);
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5})
    void sendRecvRingWithTags(int ranks) {
        LocalCluster.run(ranks, TIMEOUT, g -> {
            int next = (g.rank() + 1) % ranks, prev = (g.rank() + ranks - 1) % ranks;
            float[] mine = input(g.rank(), 600, 4099);
            float[] other = input(g.rank(), 601, 7);
            float[] got = padded(new float[4099]);
            float[] gotOther = padded(new float[7]);
            // Even ranks send first, odd ranks receive first: a synchronous send needs a partner ready to receive.
            // (With an odd number of ranks the last even rank sends to rank 0, which receives once its sends are taken.)
            if (g.rank() % 2 == 0) {
                g.send(mine, 0, 4099, next, 1);
                g.send(other, 0, 7, next, 2);
                g.recv(got, OFF, 4099, prev, 1);
                g.recv(gotOther, OFF, 7, prev, 2);
            } else {
                g.recv(got, OFF, 4099, prev, 1);
                g.recv(gotOther, OFF, 7, prev, 2);
                g.send(mine, 0, 4099, next, 1);
                g.send(other, 0, 7, next, 2);
            }
            assertRange(got, input(prev, 600, 4099), "recv tag 1");
            assertRange(gotOther, input(prev, 601, 7), "recv tag 2");
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void resultsAreBitwiseTheSameRunToRun(int ranks) {
        float[][] first = LocalCluster.call(ranks, TIMEOUT, LocalCollectivesTest::sumOfManyCalls).toArray(float[][]::new);
        float[][] second = LocalCluster.call(ranks, TIMEOUT, LocalCollectivesTest::sumOfManyCalls).toArray(float[][]::new);
        for (int r = 0; r < ranks; r++) assertThat(Arrays.equals(first[r], second[r])).as("rank %d", r).isTrue();
        for (int r = 1; r < ranks; r++) assertThat(Arrays.equals(first[0], first[r])).as("rank %d agrees with 0", r).isTrue();
    }

    /** Repeated allReduces of values whose float sums depend on the order of addition. */
    private static float[] sumOfManyCalls(ProcessGroup g) {
        float[] buf = input(g.rank(), 700, 4099);
        for (int i = 0; i < buf.length; i++) buf[i] *= (float) Math.pow(10, (i + g.rank()) % 7);
        for (int k = 0; k < 5; k++) g.allReduce(buf, 0, buf.length, ReduceOp.AVG);
        return buf;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void commsLogCountsCallsAndBytes(int ranks) {
        var logs = LocalCluster.call(ranks, TIMEOUT, g -> {
            float[] buf = new float[10 * ranks];
            g.allReduce(buf, 0, 10, ReduceOp.SUM);
            g.allReduce(buf, 0, 10, ReduceOp.SUM);
            g.allGather(buf, 0, buf, 0, 1);
            g.barrier();
            return g.log().snapshot();
        });
        for (var log : logs) {
            assertThat(log.get("allReduce").calls()).isEqualTo(2);
            assertThat(log.get("allReduce").bytes()).isEqualTo(80);
            assertThat(log.get("allReduce").seconds()).isGreaterThanOrEqualTo(0);
            assertThat(log.get("allGather").bytes()).isEqualTo(4);
            assertThat(log.get("barrier").calls()).isEqualTo(1);
        }
    }
}
