package io.jspeed.model.layer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.GemmBlocking;
import io.jspeed.tensor.matmul.JavaBf16Matmul;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearTest {

    @Test
    void anEngineCarriesEveryProductForwardAndBackward() {
        // with a bf16 engine, y, dX and dW must equal the fp32 layer run on bf16-rounded copies of x, W and dY
        Random rnd = new Random(1);
        int rows = 5, in = 7, out = 3;
        for (WeightLayout layout : WeightLayout.values()) {
            float[] x = random(rnd, rows * in), w = random(rnd, in * out), dY = random(rnd, rows * out);
            float[] xr = rounded(x), wr = rounded(w), dYr = rounded(dY);
            var bf16 = new JavaBf16Matmul(GemmBlocking.TUNED);
            float[] y = new float[rows * out], yRef = new float[rows * out];
            Linear.forward(bf16, Parallel.serial(), y, 0, x, 0, w, 0, null, 0, rows, in, out, layout);
            Linear.forward(Parallel.serial(), yRef, 0, xr, 0, wr, 0, null, 0, rows, in, out, layout);
            assertThat(y).as("forward %s", layout).isEqualTo(yRef);
            float[] dX = new float[rows * in], dW = new float[in * out], dXRef = new float[rows * in], dWRef = new float[in * out];
            Linear.backward(bf16, Parallel.serial(), dX, 0, false, dW, 0, null, 0, dY, 0, x, 0, w, 0, rows, in, out, layout);
            Linear.backward(Parallel.serial(), dXRef, 0, false, dWRef, 0, null, 0, dYr, 0, xr, 0, wr, 0, rows, in, out, layout);
            assertThat(dX).as("dX %s", layout).isEqualTo(dXRef);
            assertThat(dW).as("dW %s", layout).isEqualTo(dWRef);
            assertThat(y).as("rounding happened").isNotEqualTo(fp32Forward(x, w, rows, in, out, layout));
        }
    }

    private static float[] fp32Forward(float[] x, float[] w, int rows, int in, int out, WeightLayout layout) {
        float[] y = new float[rows * out];
        Linear.forward(Parallel.serial(), y, 0, x, 0, w, 0, null, 0, rows, in, out, layout);
        return y;
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    private static float[] rounded(float[] a) {
        float[] r = a.clone();
        BF16.roundInPlace(r, 0, r.length);
        return r;
    }
}
