package io.jspeed.tensor.matmul;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gemm;
import io.jspeed.tensor.kernel.GemmBlocking;

/**
 * bf16 semantics without a bf16 instruction: operands are copied with each value rounded to its nearest bf16, then
 * multiplied by the fp32 {@link Gemm}, which accumulates in fp32. Slower than fp32 (the rounding pass is extra);
 * it exists so that bf16 training gives the same numbers whether or not oneDNN is installed.
 */
public final class JavaBf16Matmul implements MatmulEngine {

    public static final String NAME = "java-bf16";

    private final GemmBlocking blocking;
    /** Rounded copies of op(A) and op(B), and a decoded Bf16Matrix, per calling thread (kernels may call from pool tasks). */
    private final ThreadLocal<float[][]> scratch =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    public JavaBf16Matmul(GemmBlocking blocking) {
        this.blocking = blocking;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean bf16() {
        return true;
    }

    @Override
    public void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) {
            Gemm.matmul(pool, blocking, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        float[][] s = scratch.get();
        // stored layouts keep their orientation; only the leading dimension becomes the row length
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (s[0].length < aRows * aCols) s[0] = new float[aRows * aCols];
        if (s[1].length < bRows * bCols) s[1] = new float[bRows * bCols];
        float[] ar = s[0], br = s[1];
        Copies.poolFor(pool, (long) aRows * aCols).forRange(aRows, (r0, r1) -> roundRows(a, aOff, lda, aCols, r0, r1, ar));
        Copies.poolFor(pool, (long) bRows * bCols).forRange(bRows, (r0, r1) -> roundRows(b, bOff, ldb, bCols, r0, r1, br));
        Gemm.matmul(pool, blocking, transA, transB, m, n, k, ar, 0, aCols, br, 0, bCols, beta, c, cOff, ldc);
    }

    @Override
    public void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, Bf16Matrix b, float beta, float[] c, int cOff, int ldc) {
        b.checkOperand(NAME, transB, k, n);
        // the Java kernel multiplies floats: decode the bf16 values (exact) and take the ordinary path
        float[][] s = scratch.get();
        int rows = b.rows(), cols = b.cols();
        if (s[2].length < rows * cols) s[2] = new float[rows * cols];
        float[] decoded = s[2];
        Copies.poolFor(pool, (long) rows * cols).forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) b.decodeRow(r, decoded, r * cols);
        });
        matmul(pool, transA, transB, m, n, k, a, aOff, lda, decoded, 0, cols, beta, c, cOff, ldc);
    }

    private static void roundRows(float[] src, int off, int ld, int cols, int r0, int r1, float[] dst) {
        for (int r = r0; r < r1; r++) {
            System.arraycopy(src, off + r * ld, dst, r * cols, cols);
            BF16.roundInPlace(dst, r * cols, cols);
        }
    }
}
