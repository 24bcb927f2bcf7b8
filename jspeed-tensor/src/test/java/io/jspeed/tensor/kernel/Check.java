package io.jspeed.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Named;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/** Shared test helpers: thread pools to run under, random data, tolerant comparison and finite differences. */
final class Check {

    private Check() {}

    /**
     * Fresh pools per test, because JUnit closes AutoCloseable arguments after each invocation (closing the shared
     * Parallel.serial() would mutate a singleton); a one-thread pool runs exactly like Parallel.serial().
     */
    static Stream<Named<Parallel>> pools() {
        return Stream.of(Named.of("serial", new Parallel(1)), Named.of("2 threads", twoThreads()));
    }

    /**
     * Works around a start-up race in Parallel: a worker that reads the task generation only after the first
     * forChunks call has bumped it skips that call, and the caller then waits forever. Waiting until the
     * worker has parked (it has read the generation by then) makes the tests independent of thread scheduling.
     */
    static Parallel twoThreads() {
        Parallel p = new Parallel(2);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && !workersParked()) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return p;
    }

    private static boolean workersParked() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("jspeed-worker-"))
            .allMatch(t -> t.getState() == Thread.State.WAITING);
    }

    static float[] random(long seed, int n, float scale) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** |actual - expected| <= tol * (1 + |expected|) element-wise over n entries starting at the offsets. */
    static void assertClose(String what, float[] actual, int aOff, double[] expected, int eOff, int n, double tol) {
        for (int i = 0; i < n; i++) {
            double a = actual[aOff + i], e = expected[eOff + i];
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
                throw new AssertionError(what + "[" + i + "]: expected " + e + " but got " + a + " (tol " + tol + ")");
            }
        }
    }

    static void assertClose(String what, float[] actual, double[] expected, double tol) {
        assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
        assertClose(what, actual, 0, expected, 0, actual.length, tol);
    }

    /** Central finite differences of loss at x in double precision (x is restored). */
    static double[] numericGradient(double[] x, ToDoubleFunction<double[]> loss) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double saved = x[i], h = 1e-5 * Math.max(1, Math.abs(saved));
            x[i] = saved + h;
            double up = loss.applyAsDouble(x);
            x[i] = saved - h;
            double down = loss.applyAsDouble(x);
            x[i] = saved;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /** What a gradient buffer prefilled with initial should hold after two accumulating backward calls. */
    static double[] initialPlusTwice(float[] initial, double[] grad) {
        double[] e = new double[initial.length];
        for (int i = 0; i < e.length; i++) e[i] = initial[i] + 2 * grad[i];
        return e;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
