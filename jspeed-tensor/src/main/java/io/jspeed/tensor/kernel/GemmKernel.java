package io.jspeed.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile micro-kernel: an MR x NR block of C held in 24 vector accumulators across the whole depth loop.
 *
 * <p>Each depth step loads 3 vectors of a packed B row, broadcasts each of the MR packed A values and issues
 * MR*3 independent FMAs, enough to hide FMA latency on two pipes while staying within 32 vector registers.
 * Accumulators never leave this method as objects: passing a vector to a call C2 does not inline forces it
 * to be boxed, which costs an order of magnitude, so full tiles are stored inline and ragged ones go
 * through a small float[] buffer.
 */
final class GemmKernel {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int VL = F.length();
    static final int MR = 8;
    static final int NR = 3 * VL;

    private GemmKernel() {
    }

    /**
     * C tile (mr x nr valid of MR x NR) = beta*C + Apanel * Bpanel over kc depth steps;
     * {@code edge} is scratch of at least MR*NR floats for ragged tiles.
     */
    static void tile(float[] ap, int aIdx, float[] bp, int bIdx, int kc, float[] c, int cIdx, int ldc, int mr, int nr, float beta, float[] edge) {
        FloatVector c00 = FloatVector.zero(F); FloatVector c01 = FloatVector.zero(F); FloatVector c02 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F); FloatVector c11 = FloatVector.zero(F); FloatVector c12 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F); FloatVector c21 = FloatVector.zero(F); FloatVector c22 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F); FloatVector c31 = FloatVector.zero(F); FloatVector c32 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F); FloatVector c41 = FloatVector.zero(F); FloatVector c42 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F); FloatVector c51 = FloatVector.zero(F); FloatVector c52 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F); FloatVector c61 = FloatVector.zero(F); FloatVector c62 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F); FloatVector c71 = FloatVector.zero(F); FloatVector c72 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++, aIdx += MR, bIdx += NR) {
            FloatVector b0 = FloatVector.fromArray(F, bp, bIdx);
            FloatVector b1 = FloatVector.fromArray(F, bp, bIdx + 1 * VL);
            FloatVector b2 = FloatVector.fromArray(F, bp, bIdx + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(F, ap[aIdx]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(F, ap[aIdx + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(F, ap[aIdx + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(F, ap[aIdx + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(F, ap[aIdx + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(F, ap[aIdx + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(F, ap[aIdx + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61); c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(F, ap[aIdx + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71); c72 = a7.fma(b2, c72);
        }
        boolean full = mr == MR && nr == NR;
        if (full && beta == 0f) {
            // beta == 0 must overwrite C without reading it: 0 * NaN would keep the NaN
            c00.intoArray(c, cIdx); c01.intoArray(c, cIdx + 1 * VL); c02.intoArray(c, cIdx + 2 * VL);
            c10.intoArray(c, cIdx + 1 * ldc); c11.intoArray(c, cIdx + 1 * ldc + 1 * VL); c12.intoArray(c, cIdx + 1 * ldc + 2 * VL);
            c20.intoArray(c, cIdx + 2 * ldc); c21.intoArray(c, cIdx + 2 * ldc + 1 * VL); c22.intoArray(c, cIdx + 2 * ldc + 2 * VL);
            c30.intoArray(c, cIdx + 3 * ldc); c31.intoArray(c, cIdx + 3 * ldc + 1 * VL); c32.intoArray(c, cIdx + 3 * ldc + 2 * VL);
            c40.intoArray(c, cIdx + 4 * ldc); c41.intoArray(c, cIdx + 4 * ldc + 1 * VL); c42.intoArray(c, cIdx + 4 * ldc + 2 * VL);
            c50.intoArray(c, cIdx + 5 * ldc); c51.intoArray(c, cIdx + 5 * ldc + 1 * VL); c52.intoArray(c, cIdx + 5 * ldc + 2 * VL);
            c60.intoArray(c, cIdx + 6 * ldc); c61.intoArray(c, cIdx + 6 * ldc + 1 * VL); c62.intoArray(c, cIdx + 6 * ldc + 2 * VL);
            c70.intoArray(c, cIdx + 7 * ldc); c71.intoArray(c, cIdx + 7 * ldc + 1 * VL); c72.intoArray(c, cIdx + 7 * ldc + 2 * VL);
        } else if (full && beta == 1f) {
            c00.add(FloatVector.fromArray(F, c, cIdx)).intoArray(c, cIdx);
            c01.add(FloatVector.fromArray(F, c, cIdx + 1 * VL)).intoArray(c, cIdx + 1 * VL);
            c02.add(FloatVector.fromArray(F, c, cIdx + 2 * VL)).intoArray(c, cIdx + 2 * VL);
            c10.add(FloatVector.fromArray(F, c, cIdx + 1 * ldc)).intoArray(c, cIdx + 1 * ldc);
            c11.add(FloatVector.fromArray(F, c, cIdx + 1 * ldc + 1 * VL)).intoArray(c, cIdx + 1 * ldc + 1 * VL);
            c12.add(FloatVector.fromArray(F, c, cIdx + 1 * ldc + 2 * VL)).intoArray(c, cIdx + 1 * ldc + 2 * VL);
            c20.add(FloatVector.fromArray(F, c, cIdx + 2 * ldc)).intoArray(c, cIdx + 2 * ldc);
            c21.add(FloatVector.fromArray(F, c, cIdx + 2 * ldc + 1 * VL)).intoArray(c, cIdx + 2 * ldc + 1 * VL);
            c22.add(FloatVector.fromArray(F, c, cIdx + 2 * ldc + 2 * VL)).intoArray(c, cIdx + 2 * ldc + 2 * VL);
            c30.add(FloatVector.fromArray(F, c, cIdx + 3 * ldc)).intoArray(c, cIdx + 3 * ldc);
            c31.add(FloatVector.fromArray(F, c, cIdx + 3 * ldc + 1 * VL)).intoArray(c, cIdx + 3 * ldc + 1 * VL);
            c32.add(FloatVector.fromArray(F, c, cIdx + 3 * ldc + 2 * VL)).intoArray(c, cIdx + 3 * ldc + 2 * VL);
            c40.add(FloatVector.fromArray(F, c, cIdx + 4 * ldc)).intoArray(c, cIdx + 4 * ldc);
            c41.add(FloatVector.fromArray(F, c, cIdx + 4 * ldc + 1 * VL)).intoArray(c, cIdx + 4 * ldc + 1 * VL);
            c42.add(FloatVector.fromArray(F, c, cIdx + 4 * ldc + 2 * VL)).intoArray(c, cIdx + 4 * ldc + 2 * VL);
            c50.add(FloatVector.fromArray(F, c, cIdx + 5 * ldc)).intoArray(c, cIdx + 5 * ldc);
            c51.add(FloatVector.fromArray(F, c, cIdx + 5 * ldc + 1 * VL)).intoArray(c, cIdx + 5 * ldc + 1 * VL);
            c52.add(FloatVector.fromArray(F, c, cIdx + 5 * ldc + 2 * VL)).intoArray(c, cIdx + 5 * ldc + 2 * VL);
            c60.add(FloatVector.fromArray(F, c, cIdx + 6 * ldc)).intoArray(c, cIdx + 6 * ldc);
            c61.add(FloatVector.fromArray(F, c, cIdx + 6 * ldc + 1 * VL)).intoArray(c, cIdx + 6 * ldc + 1 * VL);
            c62.add(FloatVector.fromArray(F, c, cIdx + 6 * ldc + 2 * VL)).intoArray(c, cIdx + 6 * ldc + 2 * VL);
            c70.add(FloatVector.fromArray(F, c, cIdx + 7 * ldc)).intoArray(c, cIdx + 7 * ldc);
            c71.add(FloatVector.fromArray(F, c, cIdx + 7 * ldc + 1 * VL)).intoArray(c, cIdx + 7 * ldc + 1 * VL);
            c72.add(FloatVector.fromArray(F, c, cIdx + 7 * ldc + 2 * VL)).intoArray(c, cIdx + 7 * ldc + 2 * VL);
        } else {
            c00.intoArray(edge, 0 * VL); c01.intoArray(edge, 0 * VL + 1 * VL); c02.intoArray(edge, 0 * VL + 2 * VL);
            c10.intoArray(edge, 3 * VL); c11.intoArray(edge, 3 * VL + 1 * VL); c12.intoArray(edge, 3 * VL + 2 * VL);
            c20.intoArray(edge, 6 * VL); c21.intoArray(edge, 6 * VL + 1 * VL); c22.intoArray(edge, 6 * VL + 2 * VL);
            c30.intoArray(edge, 9 * VL); c31.intoArray(edge, 9 * VL + 1 * VL); c32.intoArray(edge, 9 * VL + 2 * VL);
            c40.intoArray(edge, 12 * VL); c41.intoArray(edge, 12 * VL + 1 * VL); c42.intoArray(edge, 12 * VL + 2 * VL);
            c50.intoArray(edge, 15 * VL); c51.intoArray(edge, 15 * VL + 1 * VL); c52.intoArray(edge, 15 * VL + 2 * VL);
            c60.intoArray(edge, 18 * VL); c61.intoArray(edge, 18 * VL + 1 * VL); c62.intoArray(edge, 18 * VL + 2 * VL);
            c70.intoArray(edge, 21 * VL); c71.intoArray(edge, 21 * VL + 1 * VL); c72.intoArray(edge, 21 * VL + 2 * VL);
            mergeEdge(edge, c, cIdx, ldc, mr, nr, beta);
        }
    }

    /** Adds the first mr x nr of an MR x NR tile buffer into C, scaled the way {@link #tile} promises. */
    private static void mergeEdge(float[] edge, float[] c, int cIdx, int ldc, int mr, int nr, float beta) {
        for (int r = 0; r < mr; r++) {
            int src = r * NR, dst = cIdx + r * ldc;
            if (beta == 0f) {
                System.arraycopy(edge, src, c, dst, nr);
            } else {
                for (int j = 0; j < nr; j++) c[dst + j] = beta * c[dst + j] + edge[src + j];
            }
        }
    }
}
