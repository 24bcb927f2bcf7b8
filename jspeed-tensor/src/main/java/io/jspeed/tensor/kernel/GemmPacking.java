package io.jspeed.tensor.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts the micro-kernel streams, zero-padding ragged edges
 * so the kernel always computes a full tile.
 *
 * <p>A panel: MR rows of op(A) interleaved per depth step, {@code ap[panel*kc*MR + p*MR + r]}.
 * B panel: NR columns of op(B) contiguous per depth step, {@code bp[panel*kc*NR + p*NR + c]}.
 */
final class GemmPacking {

    private static final VectorSpecies<Float> F = GemmKernel.F;
    private static final int VL = GemmKernel.VL;
    /** Row stride (floats) from which gathers beat the scalar transpose, measured on the LM-head shapes. */
    static final int GATHER_MIN_STRIDE = 4096;

    private GemmPacking() {
    }

    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc, float[] ap) {
        final int mr = GemmKernel.MR;
        for (int r0 = 0, dst = 0; r0 < mc; r0 += mr, dst += kc * mr) {
            int rows = Math.min(mr, mc - r0);
            if (transA) {
                // stored [k x m]: the MR values of one depth step are adjacent in memory
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + r0, d = dst + p * mr;
                    for (int r = 0; r < rows; r++) ap[d + r] = a[src + r];
                    for (int r = rows; r < mr; r++) ap[d + r] = 0f;
                }
            } else if (rows == mr && lda >= GATHER_MIN_STRIDE) {
                gatherRows(a, aOff + (i0 + r0) * lda + p0, lda, mr, kc, ap, dst);
            } else {
                // stored [m x k]: walk depth outermost so writes are sequential; the MR source rows,
                // one cache line each, stay in L1 across 16 consecutive depth steps
                int src = aOff + (i0 + r0) * lda + p0;
                for (int p = 0; p < kc; p++) {
                    int d = dst + p * mr;
                    for (int r = 0; r < rows; r++) ap[d + r] = a[src + r * lda + p];
                    for (int r = rows; r < mr; r++) ap[d + r] = 0f;
                }
            }
        }
    }

    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] bp) {
        final int nr = GemmKernel.NR;
        for (int c0 = 0, dst = 0; c0 < nc; c0 += nr, dst += kc * nr) {
            int cols = Math.min(nr, nc - c0);
            if (transB) {
                // stored [n x k]: depth outermost for sequential writes, as in packA
                int src = bOff + (j0 + c0) * ldb + p0;
                for (int p = 0; p < kc; p++) {
                    int d = dst + p * nr;
                    for (int c = 0; c < cols; c++) bp[d + c] = b[src + c * ldb + p];
                    for (int c = cols; c < nr; c++) bp[d + c] = 0f;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + c0, d = dst + p * nr;
                    System.arraycopy(b, src, bp, d, cols);
                    for (int c = cols; c < nr; c++) bp[d + c] = 0f;
                }
            }
        }
    }

    /**
     * Transposes {@code width} source rows (stride ld) of kc depth steps into {@code out[dst + p*width + r]}: one
     * gather per vector of rows and depth step. Packing the LM-head logits (rows 50257 floats apart) this way took
     * ~25% less time than the scalar loop; for short strides (384-float embedding rows) gathers were slower than
     * scalar, and so were in-register zip transposes, so op(B) packing stays scalar.
     */
    private static void gatherRows(float[] src, int srcOff, int ld, int width, int kc, float[] out, int dst) {
        int[] rowStarts = new int[VL];
        for (int v = 0; v < width; v += VL) {
            // lanes past the last row re-read row 0 (in bounds) and are masked off on the store
            for (int r = 0; r < VL; r++) rowStarts[r] = r < width - v ? r * ld : 0;
            VectorMask<Float> live = F.indexInRange(v, width);
            int from = srcOff + v * ld, to = dst + v;
            if (live.allTrue()) {
                for (int p = 0; p < kc; p++, to += width) {
                    FloatVector.fromArray(F, src, from + p, rowStarts, 0).intoArray(out, to);
                }
            } else {
                for (int p = 0; p < kc; p++, to += width) {
                    FloatVector.fromArray(F, src, from + p, rowStarts, 0).intoArray(out, to, live);
                }
            }
        }
    }
}
