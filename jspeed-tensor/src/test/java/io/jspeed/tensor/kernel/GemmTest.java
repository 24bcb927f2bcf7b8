package io.jspeed.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GemmTest {

    private static final Parallel TWO = new Parallel(2);

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    /** Operands laid out with padding (ld > row), offsets, and a C pre-filled with garbage or NaN. */
    private record Case(boolean transA, boolean transB, int m, int n, int k, float beta,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        static Case random(Random rnd, boolean transA, boolean transB, int m, int n, int k, float beta, int pad, boolean nanC) {
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
            int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
            float[] a = fill(rnd, aOff + aRows * lda);
            float[] b = fill(rnd, bOff + bRows * ldb);
            float[] c = fill(rnd, cOff + m * ldc);
            if (nanC) java.util.Arrays.fill(c, Float.NaN);
            return new Case(transA, transB, m, n, k, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        float aAt(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float bAt(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** Naive triple loop in double; beta==0 ignores C entirely. */
        float[] expected() {
            float[] out = c.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = beta == 0f ? 0.0 : (double) beta * c[cOff + i * ldc + j];
                    for (int p = 0; p < k; p++) s += (double) aAt(i, p) * bAt(p, j);
                    out[cOff + i * ldc + j] = (float) s;
                }
            }
            return out;
        }

        float[] actual(Parallel pool) {
            float[] out = c.clone();
            Gemm.matmul(pool, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }
    }

    private static float[] fill(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = rnd.nextFloat() * 2f - 1f;
        return x;
    }

    private static void check(Case cs, Parallel pool) {
        float[] want = cs.expected();
        float[] got = cs.actual(pool);
        float tol = 1e-5f * (cs.k() + 4);
        String what = "transA=%s transB=%s m=%d n=%d k=%d beta=%s threads=%d".formatted(
                cs.transA(), cs.transB(), cs.m(), cs.n(), cs.k(), cs.beta(), pool.threads());
        for (int idx = 0; idx < want.length; idx++) {
            if (Float.isNaN(want[idx])) {
                // padding outside the written C region must keep its NaN
                assertThat(got[idx]).as(what + " untouched padding at " + idx).isNaN();
            } else {
                assertThat(got[idx]).as(what + " at " + idx).isCloseTo(want[idx], org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    private static final int[][] SHAPES = {
            {1, 1, 1}, {17, 33, 5}, {65, 3, 129}, {3, 65, 129}, {33, 100, 300}, {9, 17, 16},
            {130, 97, 70}, {250, 260, 513}, {5, 3100, 20}, {150, 20, 1700}
    };

    @Test
    void allTransposesBetasAndOddShapesMatchNaiveLoopSerialAndParallel() {
        Random rnd = new Random(42);
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        Case cs = Case.random(rnd, ta, tb, s[0], s[1], s[2], beta, 0, false);
                        check(cs, Parallel.serial());
                        check(cs, TWO);
                    }
                }
            }
        }
    }

    @Test
    void leadingDimensionsLargerThanRowAndOffsetsAreRespected() {
        Random rnd = new Random(7);
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Case cs = Case.random(rnd, ta, tb, s[0], s[1], s[2], 0.5f, 3 + s[0] % 5, false);
                    check(cs, Parallel.serial());
                    check(cs, TWO);
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesNanInCButLeavesPaddingAlone() {
        Random rnd = new Random(3);
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Case cs = Case.random(rnd, ta, tb, s[0], s[1], s[2], 0f, 2, true);
                    check(cs, Parallel.serial());
                    check(cs, TWO);
                }
            }
        }
    }

    @Test
    void zeroDepthScalesCByBeta() {
        float[] c = {1f, 2f, Float.NaN, 4f};
        Gemm.matmul(Parallel.serial(), false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 1, 0f, c, 0, 2);
        assertThat(c).containsExactly(0f, 0f, 0f, 0f);
        float[] d = {1f, 2f, 3f, 4f};
        Gemm.matmul(TWO, false, true, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 1, 0.5f, d, 0, 2);
        assertThat(d).containsExactly(0.5f, 1f, 1.5f, 2f);
    }

    @Test
    void attentionShapedNonContiguousRowsInsideParallelTask() {
        // per-head Q·Kᵀ: rows of Q and K are strided by 3*C inside a qkv buffer, called serially from pool tasks
        Random rnd = new Random(11);
        int t = 40, hd = 24, cDim = 48, ld = 3 * cDim;
        float[] qkv = fill(rnd, t * ld);
        float[][] outs = new float[2][t * t];
        TWO.forRange(2, (h0, h1) -> {
            for (int h = h0; h < h1; h++) {
                Gemm.matmul(Parallel.serial(), false, true, t, t, hd, qkv, h * hd, ld, qkv, cDim + h * hd, ld, 0f, outs[h], 0, t);
            }
        });
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    double s = 0;
                    for (int p = 0; p < hd; p++) s += (double) qkv[i * ld + h * hd + p] * qkv[j * ld + cDim + h * hd + p];
                    assertThat(outs[h][i * t + j]).isCloseTo((float) s, org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void deepProductWithSmallCSplitsDepthAndSumsPartialsIntoC() {
        // LM-head dX shape in miniature: the two-thread pool sums depth halves, one of them through a partial
        Random rnd = new Random(19);
        int[][] shapes = {{7, 13, 6200}, {30, 40, 7001}, {13, 33, 6145}};
        for (int[] s : shapes) {
            assertThat(Gemm.splitsDepth(s[0], s[1], s[2], 2)).as("shape %s must take the depth split", java.util.Arrays.toString(s)).isTrue();
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        check(Case.random(rnd, ta, tb, s[0], s[1], s[2], beta, 2, false), TWO);
                    }
                }
            }
            // a second call must not see the previous call's partial
            check(Case.random(rnd, false, false, s[0], s[1], s[2], 1f, 0, false), TWO);
            check(Case.random(rnd, true, false, s[0], s[1], s[2], 0f, 0, true), TWO);
        }
    }

    @Test
    void tallNarrowCSplitsRowsAcrossThreads() {
        // LM-head dW shape in miniature: many rows, few columns, shallow depth
        Random rnd = new Random(23);
        int[][] shapes = {{1001, 40, 37}, {203, 17, 5}, {50, 3, 300}};
        for (int[] s : shapes) {
            int mPanels = (s[0] + GemmKernel.MR - 1) / GemmKernel.MR, nPanels = (s[1] + GemmKernel.NR - 1) / GemmKernel.NR;
            assertThat(Gemm.splitsRows(s[0], s[1], mPanels, nPanels, 2)).as("shape %s must split rows", java.util.Arrays.toString(s)).isTrue();
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(Case.random(rnd, ta, tb, s[0], s[1], s[2], 1f, 3, false), TWO);
                    check(Case.random(rnd, ta, tb, s[0], s[1], s[2], 0f, 1, true), TWO);
                }
            }
        }
        assertThat(Gemm.splitsRows(1024, 3072, 86, 96, 2)).as("square-ish C keeps the column split").isFalse();
    }

    @Test
    void operandsReadInPlaceMatchNaiveLoopIncludingRaggedEdgeTiles() {
        // transA with a tall C reads A unpacked; !transB with few rows and long depth reads B unpacked;
        // sizes leave partial MR / NR tiles, which must fall back to zero-padded packing
        Random rnd = new Random(29);
        int[][] tallA = {{2000, 37, 45}, {700, 9, 1700}, {2311, 70, 13}};
        for (int[] s : tallA) {
            assertThat(Gemm.readsADirectly(true, s[0] / 2, s[1])).as("A in place for %s", java.util.Arrays.toString(s)).isTrue();
            for (boolean tb : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    Case cs = Case.random(rnd, true, tb, s[0], s[1], s[2], beta, 3, false);
                    check(cs, Parallel.serial());
                    check(cs, TWO);
                }
            }
        }
        int[][] longB = {{20, 70, 3500}, {30, 40, 7001}, {13, 65, 3300}};
        for (int[] s : longB) {
            assertThat(Gemm.readsBDirectly(false, s[0], s[2])).as("B in place for %s", java.util.Arrays.toString(s)).isTrue();
            for (boolean ta : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f}) {
                    Case cs = Case.random(rnd, ta, false, s[0], s[1], s[2], beta, 2, beta == 0f);
                    check(cs, Parallel.serial());
                    check(cs, TWO);
                }
            }
        }
        assertThat(Gemm.readsBDirectly(false, 1024, 768)).as("square training shapes keep packing").isFalse();
        assertThat(Gemm.readsADirectly(true, 768, 3072)).as("weight gradients keep packing").isFalse();
    }

    @Test
    void rowsFarApartArePackedRowByRowIncludingPartialTiles() {
        // lda past the far-rows threshold (the LM-head logits): full MR tiles are packed row by row, the ragged last
        // tile and the depth slicing still have to agree with the naive loop
        Random rnd = new Random(31);
        int[][] shapes = {{25, 33, 7}, {12, 16, 40}, {37, 5, 3}};
        for (int[] s : shapes) {
            for (boolean tb : new boolean[] {false, true}) {
                Case cs = Case.random(rnd, false, tb, s[0], s[1], s[2], 0.5f, GemmPacking.FAR_ROWS_MIN_STRIDE, false);
                assertThat(cs.lda()).isGreaterThanOrEqualTo(GemmPacking.FAR_ROWS_MIN_STRIDE);
                check(cs, Parallel.serial());
                check(cs, TWO);
            }
        }
    }

    @Test
    void shortWideTransposedBComputesTheTransposedProductInPlace() {
        // LM-head logits in miniature: B stored [n x k] is read in place as A tiles of C^T; ragged MR column
        // tiles, ragged NR row panels and two depth slices (k > KC) must all match the naive loop
        Random rnd = new Random(37);
        int[][] shapes = {{20, 700, 50}, {40, 1500, 800}, {33, 1101, 7}};
        for (int[] s : shapes) {
            assertThat(Gemm.swapsOperands(true, s[0], s[1] / 2)).as("swap for %s", java.util.Arrays.toString(s)).isTrue();
            for (boolean ta : new boolean[] {false, true}) {
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    Case cs = Case.random(rnd, ta, true, s[0], s[1], s[2], beta, 3, beta == 0f);
                    check(cs, Parallel.serial());
                    check(cs, TWO);
                }
            }
        }
        assertThat(Gemm.swapsOperands(true, 256, 256)).as("attention scores keep the packed path").isFalse();
        assertThat(Gemm.swapsOperands(true, 1024, 3072)).as("Linear forward keeps the packed path").isFalse();
    }
}
