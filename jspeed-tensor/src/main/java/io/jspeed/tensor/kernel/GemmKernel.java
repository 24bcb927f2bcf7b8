package io.jspeed.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile micro-kernel: an MR x NR block of C held in 24 vector accumulators across the whole depth loop.
 *
 * <p>Each depth step loads 2 vectors of a packed B row, broadcasts each of the MR packed A values and issues
 * MR*2 independent FMAs, enough to hide FMA latency on two pipes while staying within 32 vector registers.
 * Two JIT facts shape this file: an accumulator passed to a call C2 does not inline gets boxed (an order of
 * magnitude slower), so the tile lands in a float[] buffer, never in a helper's arguments; and the tile method
 * must stay small, because C1 gives up on a large method with many vectors ("out of virtual registers"), which
 * can leave it stuck in slow tier-2 code, so merging into C lives in its own method. 12 rows x 2 vectors ran
 * ~30% faster here than 8 rows x 3 vectors with the same register count.
 */
final class GemmKernel {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int VL = F.length();
    static final int MR = 12;
    static final int NR = 2 * VL;

    private GemmKernel() {
    }

    /** acc[MR x NR] = Apanel * Bpanel over kc depth steps (overwrites acc). */
    static void tile(float[] ap, int aIdx, float[] bp, int bIdx, int kc, float[] acc) {
        FloatVector c0x0 = FloatVector.zero(F); FloatVector c0x1 = FloatVector.zero(F);
        FloatVector c1x0 = FloatVector.zero(F); FloatVector c1x1 = FloatVector.zero(F);
        FloatVector c2x0 = FloatVector.zero(F); FloatVector c2x1 = FloatVector.zero(F);
        FloatVector c3x0 = FloatVector.zero(F); FloatVector c3x1 = FloatVector.zero(F);
        FloatVector c4x0 = FloatVector.zero(F); FloatVector c4x1 = FloatVector.zero(F);
        FloatVector c5x0 = FloatVector.zero(F); FloatVector c5x1 = FloatVector.zero(F);
        FloatVector c6x0 = FloatVector.zero(F); FloatVector c6x1 = FloatVector.zero(F);
        FloatVector c7x0 = FloatVector.zero(F); FloatVector c7x1 = FloatVector.zero(F);
        FloatVector c8x0 = FloatVector.zero(F); FloatVector c8x1 = FloatVector.zero(F);
        FloatVector c9x0 = FloatVector.zero(F); FloatVector c9x1 = FloatVector.zero(F);
        FloatVector c10x0 = FloatVector.zero(F); FloatVector c10x1 = FloatVector.zero(F);
        FloatVector c11x0 = FloatVector.zero(F); FloatVector c11x1 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++, aIdx += MR, bIdx += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bIdx);
            FloatVector b1 = FloatVector.fromArray(F, bp, bIdx + 1 * VL);
            FloatVector a0 = FloatVector.broadcast(F, ap[aIdx]);
            c0x0 = a0.fma(b0, c0x0); c0x1 = a0.fma(b1, c0x1);
            FloatVector a1 = FloatVector.broadcast(F, ap[aIdx + 1]);
            c1x0 = a1.fma(b0, c1x0); c1x1 = a1.fma(b1, c1x1);
            FloatVector a2 = FloatVector.broadcast(F, ap[aIdx + 2]);
            c2x0 = a2.fma(b0, c2x0); c2x1 = a2.fma(b1, c2x1);
            FloatVector a3 = FloatVector.broadcast(F, ap[aIdx + 3]);
            c3x0 = a3.fma(b0, c3x0); c3x1 = a3.fma(b1, c3x1);
            FloatVector a4 = FloatVector.broadcast(F, ap[aIdx + 4]);
            c4x0 = a4.fma(b0, c4x0); c4x1 = a4.fma(b1, c4x1);
            FloatVector a5 = FloatVector.broadcast(F, ap[aIdx + 5]);
            c5x0 = a5.fma(b0, c5x0); c5x1 = a5.fma(b1, c5x1);
            FloatVector a6 = FloatVector.broadcast(F, ap[aIdx + 6]);
            c6x0 = a6.fma(b0, c6x0); c6x1 = a6.fma(b1, c6x1);
            FloatVector a7 = FloatVector.broadcast(F, ap[aIdx + 7]);
            c7x0 = a7.fma(b0, c7x0); c7x1 = a7.fma(b1, c7x1);
            FloatVector a8 = FloatVector.broadcast(F, ap[aIdx + 8]);
            c8x0 = a8.fma(b0, c8x0); c8x1 = a8.fma(b1, c8x1);
            FloatVector a9 = FloatVector.broadcast(F, ap[aIdx + 9]);
            c9x0 = a9.fma(b0, c9x0); c9x1 = a9.fma(b1, c9x1);
            FloatVector a10 = FloatVector.broadcast(F, ap[aIdx + 10]);
            c10x0 = a10.fma(b0, c10x0); c10x1 = a10.fma(b1, c10x1);
            FloatVector a11 = FloatVector.broadcast(F, ap[aIdx + 11]);
            c11x0 = a11.fma(b0, c11x0); c11x1 = a11.fma(b1, c11x1);
        }
        c0x0.intoArray(acc, 0 * VL); c0x1.intoArray(acc, 1 * VL);
        c1x0.intoArray(acc, 2 * VL); c1x1.intoArray(acc, 3 * VL);
        c2x0.intoArray(acc, 4 * VL); c2x1.intoArray(acc, 5 * VL);
        c3x0.intoArray(acc, 6 * VL); c3x1.intoArray(acc, 7 * VL);
        c4x0.intoArray(acc, 8 * VL); c4x1.intoArray(acc, 9 * VL);
        c5x0.intoArray(acc, 10 * VL); c5x1.intoArray(acc, 11 * VL);
        c6x0.intoArray(acc, 12 * VL); c6x1.intoArray(acc, 13 * VL);
        c7x0.intoArray(acc, 14 * VL); c7x1.intoArray(acc, 15 * VL);
        c8x0.intoArray(acc, 16 * VL); c8x1.intoArray(acc, 17 * VL);
        c9x0.intoArray(acc, 18 * VL); c9x1.intoArray(acc, 19 * VL);
        c10x0.intoArray(acc, 20 * VL); c10x1.intoArray(acc, 21 * VL);
        c11x0.intoArray(acc, 22 * VL); c11x1.intoArray(acc, 23 * VL);
    }

    /**
     * tile() with the MR rows of A read in place, lda apart and contiguous in depth (a row-major matrix used
     * without packing); B is a packed panel as in tile().
     */
    static void tileRowsA(float[] ap, int aIdx, int lda, float[] bp, int bIdx, int kc, float[] acc) {
        final int o1 = lda, o2 = 2 * lda, o3 = 3 * lda, o4 = 4 * lda, o5 = 5 * lda;
        final int o6 = 6 * lda, o7 = 7 * lda, o8 = 8 * lda, o9 = 9 * lda, o10 = 10 * lda, o11 = 11 * lda;
        FloatVector c0x0 = FloatVector.zero(F); FloatVector c0x1 = FloatVector.zero(F);
        FloatVector c1x0 = FloatVector.zero(F); FloatVector c1x1 = FloatVector.zero(F);
        FloatVector c2x0 = FloatVector.zero(F); FloatVector c2x1 = FloatVector.zero(F);
        FloatVector c3x0 = FloatVector.zero(F); FloatVector c3x1 = FloatVector.zero(F);
        FloatVector c4x0 = FloatVector.zero(F); FloatVector c4x1 = FloatVector.zero(F);
        FloatVector c5x0 = FloatVector.zero(F); FloatVector c5x1 = FloatVector.zero(F);
        FloatVector c6x0 = FloatVector.zero(F); FloatVector c6x1 = FloatVector.zero(F);
        FloatVector c7x0 = FloatVector.zero(F); FloatVector c7x1 = FloatVector.zero(F);
        FloatVector c8x0 = FloatVector.zero(F); FloatVector c8x1 = FloatVector.zero(F);
        FloatVector c9x0 = FloatVector.zero(F); FloatVector c9x1 = FloatVector.zero(F);
        FloatVector c10x0 = FloatVector.zero(F); FloatVector c10x1 = FloatVector.zero(F);
        FloatVector c11x0 = FloatVector.zero(F); FloatVector c11x1 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++, aIdx++, bIdx += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bIdx);
            FloatVector b1 = FloatVector.fromArray(F, bp, bIdx + 1 * VL);
            FloatVector a0 = FloatVector.broadcast(F, ap[aIdx]);
            c0x0 = a0.fma(b0, c0x0); c0x1 = a0.fma(b1, c0x1);
            FloatVector a1 = FloatVector.broadcast(F, ap[aIdx + o1]);
            c1x0 = a1.fma(b0, c1x0); c1x1 = a1.fma(b1, c1x1);
            FloatVector a2 = FloatVector.broadcast(F, ap[aIdx + o2]);
            c2x0 = a2.fma(b0, c2x0); c2x1 = a2.fma(b1, c2x1);
            FloatVector a3 = FloatVector.broadcast(F, ap[aIdx + o3]);
            c3x0 = a3.fma(b0, c3x0); c3x1 = a3.fma(b1, c3x1);
            FloatVector a4 = FloatVector.broadcast(F, ap[aIdx + o4]);
            c4x0 = a4.fma(b0, c4x0); c4x1 = a4.fma(b1, c4x1);
            FloatVector a5 = FloatVector.broadcast(F, ap[aIdx + o5]);
            c5x0 = a5.fma(b0, c5x0); c5x1 = a5.fma(b1, c5x1);
            FloatVector a6 = FloatVector.broadcast(F, ap[aIdx + o6]);
            c6x0 = a6.fma(b0, c6x0); c6x1 = a6.fma(b1, c6x1);
            FloatVector a7 = FloatVector.broadcast(F, ap[aIdx + o7]);
            c7x0 = a7.fma(b0, c7x0); c7x1 = a7.fma(b1, c7x1);
            FloatVector a8 = FloatVector.broadcast(F, ap[aIdx + o8]);
            c8x0 = a8.fma(b0, c8x0); c8x1 = a8.fma(b1, c8x1);
            FloatVector a9 = FloatVector.broadcast(F, ap[aIdx + o9]);
            c9x0 = a9.fma(b0, c9x0); c9x1 = a9.fma(b1, c9x1);
            FloatVector a10 = FloatVector.broadcast(F, ap[aIdx + o10]);
            c10x0 = a10.fma(b0, c10x0); c10x1 = a10.fma(b1, c10x1);
            FloatVector a11 = FloatVector.broadcast(F, ap[aIdx + o11]);
            c11x0 = a11.fma(b0, c11x0); c11x1 = a11.fma(b1, c11x1);
        }
        c0x0.intoArray(acc, 0 * VL); c0x1.intoArray(acc, 1 * VL);
        c1x0.intoArray(acc, 2 * VL); c1x1.intoArray(acc, 3 * VL);
        c2x0.intoArray(acc, 4 * VL); c2x1.intoArray(acc, 5 * VL);
        c3x0.intoArray(acc, 6 * VL); c3x1.intoArray(acc, 7 * VL);
        c4x0.intoArray(acc, 8 * VL); c4x1.intoArray(acc, 9 * VL);
        c5x0.intoArray(acc, 10 * VL); c5x1.intoArray(acc, 11 * VL);
        c6x0.intoArray(acc, 12 * VL); c6x1.intoArray(acc, 13 * VL);
        c7x0.intoArray(acc, 14 * VL); c7x1.intoArray(acc, 15 * VL);
        c8x0.intoArray(acc, 16 * VL); c8x1.intoArray(acc, 17 * VL);
        c9x0.intoArray(acc, 18 * VL); c9x1.intoArray(acc, 19 * VL);
        c10x0.intoArray(acc, 20 * VL); c10x1.intoArray(acc, 21 * VL);
        c11x0.intoArray(acc, 22 * VL); c11x1.intoArray(acc, 23 * VL);
    }

    /**
     * tile() with the depth steps of A and B as parameters, so either operand can be read in place from the
     * caller's array (step = its leading dimension) instead of a packed panel (step = MR or NR). A separate
     * copy rather than a generalised tile() keeps the packed hot path exactly as tuned.
     */
    static void tileStrided(float[] ap, int aIdx, int aStep, float[] bp, int bIdx, int bStep, int kc, float[] acc) {
        FloatVector c0x0 = FloatVector.zero(F); FloatVector c0x1 = FloatVector.zero(F);
        FloatVector c1x0 = FloatVector.zero(F); FloatVector c1x1 = FloatVector.zero(F);
        FloatVector c2x0 = FloatVector.zero(F); FloatVector c2x1 = FloatVector.zero(F);
        FloatVector c3x0 = FloatVector.zero(F); FloatVector c3x1 = FloatVector.zero(F);
        FloatVector c4x0 = FloatVector.zero(F); FloatVector c4x1 = FloatVector.zero(F);
        FloatVector c5x0 = FloatVector.zero(F); FloatVector c5x1 = FloatVector.zero(F);
        FloatVector c6x0 = FloatVector.zero(F); FloatVector c6x1 = FloatVector.zero(F);
        FloatVector c7x0 = FloatVector.zero(F); FloatVector c7x1 = FloatVector.zero(F);
        FloatVector c8x0 = FloatVector.zero(F); FloatVector c8x1 = FloatVector.zero(F);
        FloatVector c9x0 = FloatVector.zero(F); FloatVector c9x1 = FloatVector.zero(F);
        FloatVector c10x0 = FloatVector.zero(F); FloatVector c10x1 = FloatVector.zero(F);
        FloatVector c11x0 = FloatVector.zero(F); FloatVector c11x1 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++, aIdx += aStep, bIdx += bStep) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bIdx);
            FloatVector b1 = FloatVector.fromArray(F, bp, bIdx + 1 * VL);
            FloatVector a0 = FloatVector.broadcast(F, ap[aIdx]);
            c0x0 = a0.fma(b0, c0x0); c0x1 = a0.fma(b1, c0x1);
            FloatVector a1 = FloatVector.broadcast(F, ap[aIdx + 1]);
            c1x0 = a1.fma(b0, c1x0); c1x1 = a1.fma(b1, c1x1);
            FloatVector a2 = FloatVector.broadcast(F, ap[aIdx + 2]);
            c2x0 = a2.fma(b0, c2x0); c2x1 = a2.fma(b1, c2x1);
            FloatVector a3 = FloatVector.broadcast(F, ap[aIdx + 3]);
            c3x0 = a3.fma(b0, c3x0); c3x1 = a3.fma(b1, c3x1);
            FloatVector a4 = FloatVector.broadcast(F, ap[aIdx + 4]);
            c4x0 = a4.fma(b0, c4x0); c4x1 = a4.fma(b1, c4x1);
            FloatVector a5 = FloatVector.broadcast(F, ap[aIdx + 5]);
            c5x0 = a5.fma(b0, c5x0); c5x1 = a5.fma(b1, c5x1);
            FloatVector a6 = FloatVector.broadcast(F, ap[aIdx + 6]);
            c6x0 = a6.fma(b0, c6x0); c6x1 = a6.fma(b1, c6x1);
            FloatVector a7 = FloatVector.broadcast(F, ap[aIdx + 7]);
            c7x0 = a7.fma(b0, c7x0); c7x1 = a7.fma(b1, c7x1);
            FloatVector a8 = FloatVector.broadcast(F, ap[aIdx + 8]);
            c8x0 = a8.fma(b0, c8x0); c8x1 = a8.fma(b1, c8x1);
            FloatVector a9 = FloatVector.broadcast(F, ap[aIdx + 9]);
            c9x0 = a9.fma(b0, c9x0); c9x1 = a9.fma(b1, c9x1);
            FloatVector a10 = FloatVector.broadcast(F, ap[aIdx + 10]);
            c10x0 = a10.fma(b0, c10x0); c10x1 = a10.fma(b1, c10x1);
            FloatVector a11 = FloatVector.broadcast(F, ap[aIdx + 11]);
            c11x0 = a11.fma(b0, c11x0); c11x1 = a11.fma(b1, c11x1);
        }
        c0x0.intoArray(acc, 0 * VL); c0x1.intoArray(acc, 1 * VL);
        c1x0.intoArray(acc, 2 * VL); c1x1.intoArray(acc, 3 * VL);
        c2x0.intoArray(acc, 4 * VL); c2x1.intoArray(acc, 5 * VL);
        c3x0.intoArray(acc, 6 * VL); c3x1.intoArray(acc, 7 * VL);
        c4x0.intoArray(acc, 8 * VL); c4x1.intoArray(acc, 9 * VL);
        c5x0.intoArray(acc, 10 * VL); c5x1.intoArray(acc, 11 * VL);
        c6x0.intoArray(acc, 12 * VL); c6x1.intoArray(acc, 13 * VL);
        c7x0.intoArray(acc, 14 * VL); c7x1.intoArray(acc, 15 * VL);
        c8x0.intoArray(acc, 16 * VL); c8x1.intoArray(acc, 17 * VL);
        c9x0.intoArray(acc, 18 * VL); c9x1.intoArray(acc, 19 * VL);
        c10x0.intoArray(acc, 20 * VL); c10x1.intoArray(acc, 21 * VL);
        c11x0.intoArray(acc, 22 * VL); c11x1.intoArray(acc, 23 * VL);
    }

    /** C[mr x nr] = beta*C + acc (the first mr rows and nr columns of the MR x NR tile). */
    static void merge(float[] acc, float[] c, int cIdx, int ldc, int mr, int nr, float beta) {
        if (nr == NR) {
            for (int r = 0; r < mr; r++) {
                for (int v = 0; v < NR; v += VL) {
                    FloatVector x = FloatVector.fromArray(F, acc, r * NR + v);
                    int at = cIdx + r * ldc + v;
                    // beta == 0 must overwrite C without reading it: 0 * NaN would keep the NaN
                    if (beta == 0f) x.intoArray(c, at);
                    else if (beta == 1f) x.add(FloatVector.fromArray(F, c, at)).intoArray(c, at);
                    else FloatVector.fromArray(F, c, at).fma(FloatVector.broadcast(F, beta), x).intoArray(c, at);
                }
            }
        } else {
            for (int r = 0; r < mr; r++) {
                int src = r * NR, dst = cIdx + r * ldc;
                if (beta == 0f) System.arraycopy(acc, src, c, dst, nr);
                else for (int j = 0; j < nr; j++) c[dst + j] = beta * c[dst + j] + acc[src + j];
            }
        }
    }

    /** C[rows x cols] += P, P row-major with leading dimension ldp (the reduction of depth-split partials). */
    static void addRows(float[] p, int pOff, int ldp, float[] c, int cOff, int ldc, int rows, int cols) {
        int vecEnd = F.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int src = pOff + r * ldp, dst = cOff + r * ldc, j = 0;
            for (; j < vecEnd; j += VL) {
                FloatVector.fromArray(F, c, dst + j).add(FloatVector.fromArray(F, p, src + j)).intoArray(c, dst + j);
            }
            for (; j < cols; j++) c[dst + j] += p[src + j];
        }
    }

    /** C^T[mr x nr] = beta*C^T + acc: tile row r lands in C column r, tile column j in C row j. */
    static void mergeTransposed(float[] acc, float[] c, int cIdx, int ldc, int mr, int nr, float beta) {
        for (int j = 0; j < nr; j++) {
            int row = cIdx + j * ldc;
            for (int r = 0; r < mr; r++) {
                float v = acc[r * NR + j];
                c[row + r] = beta == 0f ? v : beta * c[row + r] + v;
            }
        }
    }
}
