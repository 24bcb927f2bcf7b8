package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the three GEMMs a Linear layer runs per training step, over the shapes of the tiny model,
 * GPT-2 124M and its LM head. Shape is "tokens x in x out"; GFLOP/s = 2*tokens*in*out / time.
 * The small serial per-head attention product is in {@link GemmAttentionJmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmJmh {

    @Param({"2048x256x256", "2048x768x768", "2048x1024x1024", "1024x768x2304", "1024x768x768", "1024x768x3072",
            "1024x3072x768", "1024x768x50257"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int tokens;
    private int in;
    private int out;
    private Parallel pool;
    private float[] x;
    private float[] w;
    private float[] y;
    private float[] dx;
    private float[] dw;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("x");
        if (parts.length != 3) throw new IllegalArgumentException("shape must be tokens x in x out, got " + shape);
        tokens = Integer.parseInt(parts[0]);
        in = Integer.parseInt(parts[1]);
        out = Integer.parseInt(parts[2]);
        pool = threads == 1 ? Parallel.serial() : new Parallel(threads);
        x = random(tokens * in, 1);
        w = random(out * in, 2);
        y = new float[tokens * out];
        dx = new float[tokens * in];
        dw = new float[out * in];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != Parallel.serial()) pool.close();
    }

    /** y[tokens x out] = x · Wᵀ. */
    @Benchmark
    public float[] forward() {
        Gemm.matmul(pool, false, true, tokens, out, in, x, 0, in, w, 0, in, 0f, y, 0, out);
        return y;
    }

    /** dX[tokens x in] = dY · W (dY stands in as y). */
    @Benchmark
    public float[] backwardInput() {
        Gemm.matmul(pool, false, false, tokens, in, out, y, 0, out, w, 0, in, 0f, dx, 0, in);
        return dx;
    }

    /** dW[out x in] += dYᵀ · X. */
    @Benchmark
    public float[] backwardWeight() {
        Gemm.matmul(pool, true, false, out, in, tokens, y, 0, out, x, 0, in, 1f, dw, 0, in);
        return dw;
    }

    static float[] random(int len, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) (rnd.nextDouble() * 2 - 1);
        return v;
    }
}
