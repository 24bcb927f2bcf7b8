package io.jspeed.tensor.matmul;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import java.util.Arrays;
import java.util.Random;

/** One GEMM call with padded leading dimensions and offsets, and independent references computed in double. */
record MatmulCase(boolean transA, boolean transB, int m, int n, int k, float beta,
                  float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

    static MatmulCase random(Random rnd, boolean transA, boolean transB, int m, int n, int k, float beta, int pad) {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
        float[] a = fill(rnd, aOff + aRows * lda), b = fill(rnd, bOff + bRows * ldb), c = fill(rnd, cOff + m * ldc);
        // beta == 0 must overwrite whatever C held, NaN included
        if (beta == 0f) Arrays.fill(c, Float.NaN);
        return new MatmulCase(transA, transB, m, n, k, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    float aAt(int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    float bAt(int p, int j) {
        return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
    }

    /** beta*C + sum a*b in double, with the operands rounded to bf16 first when {@code bf16}. */
    double expected(int i, int j, boolean bf16) {
        double s = beta == 0f ? 0.0 : (double) beta * c[cOff + i * ldc + j];
        for (int p = 0; p < k; p++) {
            float x = aAt(i, p), y = bAt(p, j);
            if (bf16) {
                x = BF16.toFloat(BF16.fromFloat(x));
                y = BF16.toFloat(BF16.fromFloat(y));
            }
            s += (double) x * y;
        }
        return s;
    }

    /** sum |a||b| over the depth: the scale of the rounding error of one C element. */
    double magnitude(int i, int j) {
        double s = beta == 0f ? 0.0 : Math.abs((double) beta * c[cOff + i * ldc + j]);
        for (int p = 0; p < k; p++) s += Math.abs((double) aAt(i, p) * bAt(p, j));
        return s;
    }

    float[] run(MatmulEngine e, Parallel pool) {
        float[] out = c.clone();
        e.matmul(pool, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
        return out;
    }

    /** Every C element within {@code relative * magnitude} of the reference; padding outside C keeps its NaN. */
    void check(float[] got, boolean bf16Reference, double relative, String what) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = expected(i, j, bf16Reference);
                double tol = relative * magnitude(i, j) + 1e-30;
                float g = got[cOff + i * ldc + j];
                // assert only on a miss: an assertion per element makes the suite crawl
                if (!(Math.abs(g - want) <= tol)) {
                    assertThat((double) g).as("%s %s C(%d,%d)", what, this, i, j)
                            .isCloseTo(want, org.assertj.core.data.Offset.offset(tol));
                }
            }
        }
        if (beta == 0f) {
            for (int idx = 0; idx < cOff; idx++) {
                if (!Float.isNaN(got[idx])) assertThat(got[idx]).as("%s padding before C at %d", what, idx).isNaN();
            }
        }
    }

    @Override
    public String toString() {
        return "transA=%s transB=%s m=%d n=%d k=%d beta=%s lda=%d ldb=%d".formatted(transA, transB, m, n, k, beta, lda, ldb);
    }

    private static float[] fill(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = rnd.nextFloat() * 2f - 1f;
        return x;
    }
}
