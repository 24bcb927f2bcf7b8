package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * The small matrix products inside attention: up to four rows of A times a strided B, with a k range per call
 * so callers skip the causally masked part. A 4-row x 4-vector register tile gives 16 FMAs per 4 loads of B.
 */
final class TileProduct {

    static final int ROWS = 4;

    /** Rows per {@link #block} call: four register tiles share each B panel while it is in L1. */
    static final int BLOCK_ROWS = 16;

    /** k rows of B per panel: 64 x 64 floats = 16 KiB, a third of L1. */
    private static final int K_PANEL = 64;

    private TileProduct() {}

    /**
     * The same product as {@link #rows} for up to {@link #BLOCK_ROWS} rows of A, ordered so each 64-column,
     * 64-k panel of B is loaded from L2 once and then reused from L1 by every 4-row tile, instead of being
     * streamed again per 4 rows (attention's K and V of one head do not fit L1). Each c element still sums
     * over l in increasing order in one FMA chain, so results are bitwise those of {@link #rows}.
     */
    static void block(int m, int n, int k0, int k1, float[] a, int aOff, int ai, int al, float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        int fullRows = m / ROWS * ROWS, tiledCols = n / (4 * L) * (4 * L);
        for (int j = 0; j < tiledCols; j += 4 * L) {
            for (int l0 = k0; l0 < k1; l0 += K_PANEL) {
                int l1 = Math.min(k1, l0 + K_PANEL);
                boolean acc = accumulate || l0 > k0;
                for (int i = 0; i < fullRows; i += ROWS) {
                    tile4x4(j, l0, l1, a, aOff + i * ai, ai, al, b, bOff, ldb, c, cOff + i * ldc, ldc, acc);
                }
            }
        }
        if (k0 >= k1 && !accumulate) {
            // empty k range: the tiles above never ran, but c must still be zeroed
            for (int i = 0; i < fullRows; i += ROWS) rows(ROWS, tiledCols, k0, k1, a, aOff + i * ai, ai, al, b, bOff, ldb, c, cOff + i * ldc, ldc, false);
        }
        if (tiledCols < n) {
            for (int i = 0; i < fullRows; i += ROWS) {
                rows(ROWS, n - tiledCols, k0, k1, a, aOff + i * ai, ai, al, b, bOff + tiledCols, ldb,
                    c, cOff + i * ldc + tiledCols, ldc, accumulate);
            }
        }
        if (fullRows < m) {
            rows(m - fullRows, n, k0, k1, a, aOff + fullRows * ai, ai, al, b, bOff, ldb, c, cOff + fullRows * ldc, ldc, accumulate);
        }
    }

    /**
     * c[i, j] (+)= sum over l in [k0, k1) of A(i, l) * b[l, j], for i < m (m <= 4) and j < n, where
     * A(i, l) = a[aOff + i*ai + l*al] (ai = lda, al = 1 for A; ai = 1, al = lda for a transposed A),
     * row l of b starts at bOff + l*ldb and row i of c at cOff + i*ldc.
     */
    static void rows(int m, int n, int k0, int k1, float[] a, int aOff, int ai, int al, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        int j = 0;
        if (m == ROWS) {
            for (; j + 4 * L <= n; j += 4 * L) tile4x4(j, k0, k1, a, aOff, ai, al, b, bOff, ldb, c, cOff, ldc, accumulate);
            for (; j + L <= n; j += L) tile4x1(j, k0, k1, a, aOff, ai, al, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            for (; j + L <= n; j += L) {
                for (int i = 0; i < m; i++) {
                    FloatVector acc = accumulate ? FloatVector.fromArray(F, c, cOff + i * ldc + j) : FloatVector.zero(F);
                    int ar = aOff + i * ai;
                    for (int l = k0; l < k1; l++) {
                        acc = FloatVector.fromArray(F, b, bOff + l * ldb + j).fma(FloatVector.broadcast(F, a[ar + l * al]), acc);
                    }
                    acc.intoArray(c, cOff + i * ldc + j);
                }
            }
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = accumulate ? c[cOff + i * ldc + j] : 0f;
                int ar = aOff + i * ai;
                for (int l = k0; l < k1; l++) s += a[ar + l * al] * b[bOff + l * ldb + j];
                c[cOff + i * ldc + j] = s;
            }
        }
    }

    private static void tile4x4(int j, int k0, int k1, float[] a, int aOff, int ai, int al, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int c0 = cOff + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (accumulate) {
            a00 = FloatVector.fromArray(F, c, c0); a01 = FloatVector.fromArray(F, c, c0 + L);
            a02 = FloatVector.fromArray(F, c, c0 + 2 * L); a03 = FloatVector.fromArray(F, c, c0 + 3 * L);
            a10 = FloatVector.fromArray(F, c, c1); a11 = FloatVector.fromArray(F, c, c1 + L);
            a12 = FloatVector.fromArray(F, c, c1 + 2 * L); a13 = FloatVector.fromArray(F, c, c1 + 3 * L);
            a20 = FloatVector.fromArray(F, c, c2); a21 = FloatVector.fromArray(F, c, c2 + L);
            a22 = FloatVector.fromArray(F, c, c2 + 2 * L); a23 = FloatVector.fromArray(F, c, c2 + 3 * L);
            a30 = FloatVector.fromArray(F, c, c3); a31 = FloatVector.fromArray(F, c, c3 + L);
            a32 = FloatVector.fromArray(F, c, c3 + 2 * L); a33 = FloatVector.fromArray(F, c, c3 + 3 * L);
        } else {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = FloatVector.zero(F);
            a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(F);
        }
        int r0 = aOff, r1 = r0 + ai, r2 = r1 + ai, r3 = r2 + ai;
        for (int l = k0; l < k1; l++) {
            int bl = bOff + l * ldb + j;
            FloatVector b0 = FloatVector.fromArray(F, b, bl), b1 = FloatVector.fromArray(F, b, bl + L);
            FloatVector b2 = FloatVector.fromArray(F, b, bl + 2 * L), b3 = FloatVector.fromArray(F, b, bl + 3 * L);
            FloatVector x = FloatVector.broadcast(F, a[r0 + l * al]);
            a00 = b0.fma(x, a00); a01 = b1.fma(x, a01); a02 = b2.fma(x, a02); a03 = b3.fma(x, a03);
            x = FloatVector.broadcast(F, a[r1 + l * al]);
            a10 = b0.fma(x, a10); a11 = b1.fma(x, a11); a12 = b2.fma(x, a12); a13 = b3.fma(x, a13);
            x = FloatVector.broadcast(F, a[r2 + l * al]);
            a20 = b0.fma(x, a20); a21 = b1.fma(x, a21); a22 = b2.fma(x, a22); a23 = b3.fma(x, a23);
            x = FloatVector.broadcast(F, a[r3 + l * al]);
            a30 = b0.fma(x, a30); a31 = b1.fma(x, a31); a32 = b2.fma(x, a32); a33 = b3.fma(x, a33);
        }
        a00.intoArray(c, c0); a01.intoArray(c, c0 + L); a02.intoArray(c, c0 + 2 * L); a03.intoArray(c, c0 + 3 * L);
        a10.intoArray(c, c1); a11.intoArray(c, c1 + L); a12.intoArray(c, c1 + 2 * L); a13.intoArray(c, c1 + 3 * L);
        a20.intoArray(c, c2); a21.intoArray(c, c2 + L); a22.intoArray(c, c2 + 2 * L); a23.intoArray(c, c2 + 3 * L);
        a30.intoArray(c, c3); a31.intoArray(c, c3 + L); a32.intoArray(c, c3 + 2 * L); a33.intoArray(c, c3 + 3 * L);
    }

    private static void tile4x1(int j, int k0, int k1, float[] a, int aOff, int ai, int al, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        int c0 = cOff + j, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector a0, a1, a2, a3;
        if (accumulate) {
            a0 = FloatVector.fromArray(F, c, c0); a1 = FloatVector.fromArray(F, c, c1);
            a2 = FloatVector.fromArray(F, c, c2); a3 = FloatVector.fromArray(F, c, c3);
        } else {
            a0 = a1 = a2 = a3 = FloatVector.zero(F);
        }
        int r0 = aOff, r1 = r0 + ai, r2 = r1 + ai, r3 = r2 + ai;
        for (int l = k0; l < k1; l++) {
            FloatVector bv = FloatVector.fromArray(F, b, bOff + l * ldb + j);
            a0 = bv.fma(FloatVector.broadcast(F, a[r0 + l * al]), a0);
            a1 = bv.fma(FloatVector.broadcast(F, a[r1 + l * al]), a1);
            a2 = bv.fma(FloatVector.broadcast(F, a[r2 + l * al]), a2);
            a3 = bv.fma(FloatVector.broadcast(F, a[r3 + l * al]), a3);
        }
        a0.intoArray(c, c0); a1.intoArray(c, c1); a2.intoArray(c, c2); a3.intoArray(c, c3);
    }
}
