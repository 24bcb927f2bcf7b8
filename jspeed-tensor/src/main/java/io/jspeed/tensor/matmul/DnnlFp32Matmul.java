package io.jspeed.tensor.matmul;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.kernel.Gemm;
import java.lang.foreign.MemorySegment;

/**
 * fp32 GEMM through oneDNN's dnnl_sgemm, the Java arrays passed in place (no staging copy): the BLAS convention
 * (transposes, leading dimensions, beta) is the seam's own. oneDNN runs on its own OpenMP threads, as many as the
 * pool has, with the pool's workers parked. While a call runs the GC cannot move the arrays, so it waits.
 */
public final class DnnlFp32Matmul implements MatmulEngine {

    public static final String NAME = "dnnl-fp32";

    private final DnnlLibrary lib;

    public DnnlFp32Matmul(DnnlLibrary lib) {
        this.lib = lib;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean bf16() {
        return false;
    }

    @Override
    public void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(NAME + ": sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return;
        if (k == 0) {
            // the product is empty: C = beta*C, which the Java GEMM already does right
            Gemm.matmul(pool, transA, transB, m, n, 0, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        // native code reads and writes wherever the leading dimensions point: prove it stays inside the arrays
        checkInside("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkInside("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        checkInside("C", c, cOff, ldc, m, n);
        pool.parkWorkers();
        lib.sgemm(pool.threads(), transA, transB, m, n, k, 1f, slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), ldc);
    }

    private static MemorySegment slice(float[] x, int off) {
        return MemorySegment.ofArray(x).asSlice((long) off * Float.BYTES);
    }

    /** rows x cols stored with row step ld from off must lie within x, and a row must fit its step. */
    static void checkInside(String name, float[] x, int off, int ld, int rows, int cols) {
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || ld < cols || last > x.length) {
            throw new IndexOutOfBoundsException(NAME + ": " + name + " of " + rows + "x" + cols + " at offset " + off
                    + " with leading dimension " + ld + " does not fit an array of " + x.length + " floats");
        }
    }
}
