package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.GemmKernel.MR;
import static io.jspeed.tensor.kernel.GemmKernel.NR;

import io.jspeed.tensor.Parallel;

/**
 * Single-precision matrix multiply over row-major arrays with leading dimensions, the kernel all training runs on.
 *
 * <p>Blocked the BLIS way ({@link GemmBlocking}): a kc-deep slice of op(B) (up to nc columns) is packed once and stays in L3,
 * an mc x kc block of op(A) is packed to sit in L2, and the {@link GemmKernel} register tile walks them.
 * Threads split C into column (or, for narrow or tall C, row) ranges so each packs and writes only its own part,
 * or, for a small C over a huge depth, split the depth and add their partial products.
 *
 * <p>The LM-head shapes (vocabulary 50257) get paths of their own, because there packing is a memory-bound
 * copy of a huge operand that no compute overlaps: a transposed op(A) or a plain op(B) is read in place by a
 * strided kernel, and a short wide C with op(B) stored [n x k] is computed as its transpose so that B's rows
 * become in-place A tiles.
 */
public final class Gemm {

    // The tuned blocking's sizes also set the thresholds that choose between paths; they stay fixed whatever
    // blocking a call runs with, so a blocking changes speed and depth slicing, never which path a shape takes.
    static final int KC = GemmBlocking.TUNED.kc();
    static final int MC = GemmBlocking.TUNED.mc();
    /** Below this many multiply-adds a thread hand-off costs more than it saves. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;
    /** Depth split only pays once each thread still gets several full KC slices. */
    private static final int DEPTH_SPLIT_MIN_K = 4 * KC;
    /** Largest C (floats) worth a per-thread partial copy. */
    private static final long DEPTH_SPLIT_MAX_C = 1L << 20;

    /** Packing buffers per thread, grown on demand and reused so steady-state calls allocate nothing. */
    private static final ThreadLocal<GemmScratch> SCRATCH = ThreadLocal.withInitial(GemmScratch::new);

    private Gemm() {
    }

    /**
     * C[m x n] = beta*C + op(A)[m x k] * op(B)[k x n], row-major with leading dimensions.
     * transA=false: A(i,p) = a[aOff + i*lda + p] (A stored [m x k]); transA=true: A(i,p) = a[aOff + p*lda + i] (stored [k x m]).
     * transB=false: B(p,j) = b[bOff + p*ldb + j] (stored [k x n]); transB=true: B(p,j) = b[bOff + j*ldb + p] (stored [n x k]).
     * beta==0 overwrites whatever C held, even NaN. Uses all threads of pool; Parallel.serial() runs on the caller.
     * Runs with {@link GemmBlocking#TUNED}.
     */
    public static void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        matmul(pool, GemmBlocking.TUNED, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@link #matmul(Parallel, boolean, boolean, int, int, int, float[], int, int, float[], int, int, float, float[], int, int)}
     * with the given cache blocking; results are deterministic for a given thread count and blocking.
     */
    public static void matmul(Parallel pool, GemmBlocking bl, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("Gemm.matmul: sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        int threads = pool.threads();
        int nPanels = (n + NR - 1) / NR, mPanels = (m + MR - 1) / MR;
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_WORK) {
            blocked(bl, transA, transB, 0, m, 0, n, 0, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (splitsDepth(m, n, k, threads)) {
            depthSplit(pool, bl, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (splitsRows(m, n, mPanels, nPanels, threads)) {
            pool.forChunks(threads, threads, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int i0 = Math.min(m, MR * (int) ((long) mPanels * t / threads));
                    int i1 = Math.min(m, MR * (int) ((long) mPanels * (t + 1) / threads));
                    if (i0 < i1) blocked(bl, transA, transB, i0, i1, 0, n, 0, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                }
            });
        } else {
            pool.forChunks(threads, threads, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int j0 = Math.min(n, NR * (int) ((long) nPanels * t / threads));
                    int j1 = Math.min(n, NR * (int) ((long) nPanels * (t + 1) / threads));
                    if (j0 < j1) blocked(bl, transA, transB, 0, m, j0, j1, 0, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                }
            });
        }
    }

    /**
     * A deep product with a small C (dX of the LM head: 256 x 384 over a 50257 vocabulary): splitting C would make
     * every thread stream, and pack, the whole of one huge operand; splitting the depth reads each operand once
     * and only costs one m x n partial per extra thread.
     */
    static boolean splitsDepth(int m, int n, int k, int threads) {
        return k >= DEPTH_SPLIT_MIN_K * threads && (long) m * n <= DEPTH_SPLIT_MAX_C;
    }

    /**
     * Splitting columns makes every thread pack all of op(A), splitting rows all of op(B); split rows when A is
     * the much larger one (dW of the LM head: 50257 x 384), columns otherwise (the tuned default for square-ish C).
     */
    static boolean splitsRows(int m, int n, int mPanels, int nPanels, int threads) {
        return nPanels < 2 * threads && nPanels < mPanels || mPanels >= 2 * threads && m >= 4 * n;
    }

    /** Thread t sums depth slice t; thread 0 lands in C (with beta), the others in partials added at the end. */
    private static void depthSplit(Parallel pool, GemmBlocking bl, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int threads = pool.threads();
        int mn = m * n;
        float[] partial = SCRATCH.get().partial((threads - 1) * mn);
        pool.forChunks(threads, threads, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int p0 = (int) ((long) k * t / threads), p1 = (int) ((long) k * (t + 1) / threads);
                if (t == 0) {
                    blocked(bl, transA, transB, 0, m, 0, n, p0, p1, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                } else {
                    blocked(bl, transA, transB, 0, m, 0, n, p0, p1, a, aOff, lda, b, bOff, ldb, 0f, partial, (t - 1) * mn, n);
                }
            }
        });
        for (int t = 1; t < threads; t++) GemmKernel.addRows(partial, (t - 1) * mn, n, c, cOff, ldc, m, n);
    }

    /** One thread's share: C rows [i0, i1) x columns [j0, j1), summed over depth [k0, k1). */
    private static void blocked(GemmBlocking bl, boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k0, int k1,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        // equal depth slices: k=1000 becomes 500+500 rather than 768+232
        int k = k1 - k0;
        int kBlocks = (k + bl.kc() - 1) / bl.kc();
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = roundUp(Math.min(bl.nc(), j1 - j0), NR);
        int mcMax = roundUp(Math.min(bl.mc(), i1 - i0), MR);
        GemmScratch s = SCRATCH.get();
        float[] ap = s.a(mcMax * kcMax);
        float[] bp = s.b(ncMax * kcMax);
        float[] acc = s.tile();
        if (swapsOperands(transB, i1 - i0, j1 - j0)) {
            swapped(transA, i0, i1, j0, j1, k0, k1, kcMax, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, s);
            return;
        }
        boolean directA = readsADirectly(transA, i1 - i0, j1 - j0);
        boolean directB = readsBDirectly(transB, i1 - i0, k);
        if (directA || directB) {
            streamed(bl, directA, directB, transA, transB, i0, i1, j0, j1, k0, k1, kcMax, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc, ap, bp, acc);
            return;
        }
        for (int jc = j0; jc < j1; jc += bl.nc()) {
            int nc = Math.min(bl.nc(), j1 - jc);
            for (int pc = k0; pc < k1; pc += kcMax) {
                int kc = Math.min(kcMax, k1 - pc);
                float blockBeta = pc == k0 ? beta : 1f;
                GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = i0; ic < i1; ic += bl.mc()) {
                    int mc = Math.min(bl.mc(), i1 - ic);
                    GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    // B micro-panel (kc x NR) stays in L1 while the A block streams from L2
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bIdx = (jr / NR) * kc * NR;
                        int cCol = cOff + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR) {
                            GemmKernel.tile(ap, (ir / MR) * kc * MR, bp, bIdx, kc, acc);
                            GemmKernel.merge(acc, c, cCol + (ic + ir) * ldc, ldc, Math.min(MR, mc - ir), nr, blockBeta);
                        }
                    }
                }
            }
        }
    }

    /**
     * Stored [k x m], op(A) already has each depth step's MR values adjacent, so the kernel can read them in
     * place. Worth it when A is huge and each of its values meets few B columns (dW of the LM head), where
     * packing is a memory-bound copy of A that no compute overlaps.
     */
    static boolean readsADirectly(boolean transA, int rows, int cols) {
        return transA && rows >= 16L * cols;
    }

    /**
     * Stored [k x n], op(B) already has each depth step's NR values adjacent. Worth it when few rows reuse a
     * packed B and the depth is long (dX of the LM head streams the 77 MB embedding once per 256 rows).
     */
    static boolean readsBDirectly(boolean transB, int rows, int depth) {
        return !transB && rows <= 2 * MC && depth >= 4 * KC;
    }

    /**
     * blocked() with one or both operands read in place: full tiles stream straight from the caller's array
     * with its leading dimension as the depth step, and only ragged edge tiles are packed (zero-padded).
     */
    private static void streamed(GemmBlocking bl, boolean directA, boolean directB, boolean transA, boolean transB,
            int i0, int i1, int j0, int j1, int k0, int k1, int kcMax,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
            float[] ap, float[] bp, float[] acc) {
        for (int jc = j0; jc < j1; jc += bl.nc()) {
            int nc = Math.min(bl.nc(), j1 - jc);
            for (int pc = k0; pc < k1; pc += kcMax) {
                int kc = Math.min(kcMax, k1 - pc);
                float blockBeta = pc == k0 ? beta : 1f;
                if (!directB) GemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp);
                for (int ic = i0; ic < i1; ic += bl.mc()) {
                    int mc = Math.min(bl.mc(), i1 - ic);
                    if (!directA) GemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        float[] bArr = bp;
                        int bIdx = (jr / NR) * kc * NR, bStep = NR;
                        if (directB && nr == NR) {
                            bArr = b;
                            bIdx = bOff + pc * ldb + jc + jr;
                            bStep = ldb;
                        } else if (directB) {
                            GemmPacking.packB(false, b, bOff, ldb, pc, kc, jc + jr, nr, bp);
                            bIdx = 0;
                        }
                        int cCol = cOff + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            float[] aArr = ap;
                            int aIdx = (ir / MR) * kc * MR, aStep = MR;
                            if (directA && mr == MR) {
                                aArr = a;
                                aIdx = aOff + pc * lda + ic + ir;
                                aStep = lda;
                            } else if (directA) {
                                GemmPacking.packA(true, a, aOff, lda, ic + ir, mr, pc, kc, ap);
                                aIdx = 0;
                            }
                            GemmKernel.tileStrided(aArr, aIdx, aStep, bArr, bIdx, bStep, kc, acc);
                            GemmKernel.merge(acc, c, cCol + (ic + ir) * ldc, ldc, mr, nr, blockBeta);
                        }
                    }
                }
            }
        }
    }

    /**
     * Stored [n x k], op(B) has each column contiguous in depth, which the kernel cannot stream as a B panel
     * but can as the rows of an A tile. When C is short and very wide (LM-head logits: 256 x 50257), computing
     * C^T = op(B)^T op(A)^T reads B in place instead of transposing all of it into panels.
     */
    static boolean swapsOperands(boolean transB, int rows, int cols) {
        return transB && rows <= 2 * MC && cols >= 16L * rows;
    }

    /** blocked() for C^T: MR columns of C read in place from B per tile, the rows of op(A) packed as B panels. */
    private static void swapped(boolean transA, int i0, int i1, int j0, int j1, int k0, int k1, int kcMax,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
            GemmScratch s) {
        int rows = i1 - i0;
        float[] xp = s.b(roundUp(rows, NR) * kcMax);
        float[] wp = s.a(MR * kcMax);
        float[] acc = s.tile();
        for (int pc = k0; pc < k1; pc += kcMax) {
            int kc = Math.min(kcMax, k1 - pc);
            float blockBeta = pc == k0 ? beta : 1f;
            // op(A) rows become B columns: stored [m x k] is B's transposed layout, stored [k x m] its plain one
            GemmPacking.packB(!transA, a, aOff, lda, pc, kc, i0, rows, xp);
            for (int j = j0; j < j1; j += MR) {
                int mr = Math.min(MR, j1 - j);
                if (mr < MR) GemmPacking.packA(false, b, bOff, ldb, j, mr, pc, kc, wp);
                for (int ir = 0; ir < rows; ir += NR) {
                    int nr = Math.min(NR, rows - ir);
                    int xIdx = (ir / NR) * kc * NR;
                    if (mr == MR) GemmKernel.tileRowsA(b, bOff + j * ldb + pc, ldb, xp, xIdx, kc, acc);
                    else GemmKernel.tileStrided(wp, 0, MR, xp, xIdx, NR, kc, acc);
                    GemmKernel.mergeTransposed(acc, c, cOff + (i0 + ir) * ldc + j, ldc, mr, nr, blockBeta);
                }
            }
        }
    }

    /** k == 0: the product is empty, C = beta*C (beta == 0 still clears NaN). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
