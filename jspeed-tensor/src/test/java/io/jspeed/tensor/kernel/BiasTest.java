package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Check.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BiasTest {

    @ParameterizedTest
    @MethodSource("io.jspeed.tensor.kernel.Check#pools")
    void addAndBackwardMatchNaive(Parallel p) {
        for (int[] shape : new int[][] {{5, 37}, {1, 1}, {3, 16}, {700, 37}, {3, 20000}}) {
            int rows = shape[0], dim = shape[1], off = 4;
            float[] x = random(1, off + rows * dim, 1f), bias = random(2, off + dim, 1f);
            double[] want = toDouble(x);
            for (int r = 0; r < rows; r++) for (int i = 0; i < dim; i++) want[off + r * dim + i] += bias[off + i];
            Bias.add(p, x, off, rows, dim, bias, off);
            assertClose("add", x, want, 1e-6);

            // L = sum(dOut * (x + bias)) so dBias = column sums of dOut
            float[] dOut = random(3, off + rows * dim, 1f), dBias = random(4, off + dim, 1f), dBias0 = dBias.clone();
            double[] grad = new double[off + dim];
            for (int r = 0; r < rows; r++) for (int i = 0; i < dim; i++) grad[off + i] += dOut[off + r * dim + i];
            Bias.backward(p, dBias, off, dOut, off, rows, dim);
            Bias.backward(p, dBias, off, dOut, off, rows, dim);
            assertClose("dBias", dBias, initialPlusTwice(dBias0, grad), 1e-5);
        }
    }

    @Test
    void backwardIsBitwiseIndependentOfThreadCount() {
        int rows = 203, dim = 77;
        float[] dOut = random(5, rows * dim, 1f), serial = new float[dim], parallel = new float[dim];
        Bias.backward(Parallel.serial(), serial, 0, dOut, 0, rows, dim);
        try (Parallel p = Check.twoThreads()) {
            Bias.backward(p, parallel, 0, dOut, 0, rows, dim);
        }
        assertThat(parallel).containsExactly(serial);
    }
}
