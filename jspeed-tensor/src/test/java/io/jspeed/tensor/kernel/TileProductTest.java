package io.jspeed.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The L1-blocked product must be bitwise the per-4-rows product, since attention's saved and recomputed paths mix them. */
class TileProductTest {

    @Test
    void blockIsBitwiseTheRowProductForOddShapes() {
        int[][] shapes = {{16, 64, 0, 150}, {13, 80, 5, 70}, {16, 37, 0, 64}, {3, 64, 0, 9}, {16, 128, 7, 7}, {6, 200, 1, 130}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k0 = sh[2], k1 = sh[3];
            int lda = k1 + 3, ldb = n + 5, ldc = n + 2;
            float[] a = Check.random(1, m * lda + k1 * 2 + 1, 1f), b = Check.random(2, k1 * ldb + n, 1f);
            for (boolean transposedA : new boolean[] {false, true}) {
                int ai = transposedA ? 1 : lda, al = transposedA ? m : 1;
                for (boolean accumulate : new boolean[] {false, true}) {
                    float[] want = Check.random(3, m * ldc, 1f), got = want.clone();
                    for (int i = 0; i < m; i += TileProduct.ROWS) {
                        int rows = Math.min(TileProduct.ROWS, m - i);
                        TileProduct.rows(rows, n, k0, k1, a, i * ai, ai, al, b, 0, ldb, want, i * ldc, ldc, accumulate);
                    }
                    TileProduct.block(m, n, k0, k1, a, 0, ai, al, b, 0, ldb, got, 0, ldc, accumulate);
                    assertThat(got).as("m=%d n=%d k=[%d,%d) transposedA=%b accumulate=%b", m, n, k0, k1, transposedA, accumulate)
                        .containsExactly(want);
                }
            }
        }
    }
}
