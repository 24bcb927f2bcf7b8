package io.jspeed.tensor.kernel;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts the micro-kernel streams, zero-padding ragged edges
 * so the kernel always computes a full tile.
 *
 * <p>A panel: MR rows of op(A) interleaved per depth step, {@code ap[panel*kc*MR + p*MR + r]}.
 * B panel: NR columns of op(B) contiguous per depth step, {@code bp[panel*kc*NR + p*NR + c]}.
 */
final class GemmPacking {

    /** Row stride (floats) from which op(A) rows are packed one whole row at a time (measured on the LM head). */
    static final int FAR_ROWS_MIN_STRIDE = 4096;

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
            } else if (rows == mr && lda >= FAR_ROWS_MIN_STRIDE) {
                // rows far apart (LM-head logits, 50257 floats): one source row at a time as a sequential run,
                // the MR-strided writes land in the L1-resident panel; depth-outermost order or vector gathers
                // keep MR streams in flight with a new page each and measured 10-25% slower
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (i0 + r0 + r) * lda + p0;
                    for (int p = 0, d = dst + r; p < kc; p++, d += mr) ap[d] = a[src + p];
                }
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
}
