package io.jspeed.bench;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gemm;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the small serial GEMM attention runs per head inside a parallel task: scores[T x T] = Q·Kᵀ
 * with Q and K read in place from a [T x 3C] qkv buffer (row stride 3C), so per-call overhead shows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmAttentionJmh {

    @Param({"256"})
    public int tokens;

    @Param({"64"})
    public int headDim;

    @Param({"768"})
    public int channels;

    private float[] qkv;
    private float[] scores;

    @org.openjdk.jmh.annotations.Setup
    public void setUp() {
        qkv = GemmJmh.random(tokens * 3 * channels, 3);
        scores = new float[tokens * tokens];
    }

    /** Head 0: Q at column 0, K at column C of each qkv row. */
    @Benchmark
    public float[] scoresSerial() {
        int ld = 3 * channels;
        Gemm.matmul(Parallel.serial(), false, true, tokens, tokens, headDim, qkv, 0, ld, qkv, channels, ld, 0f, scores, 0, tokens);
        return scores;
    }
}
