package io.jspeed.tensor.matmul;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gemm;
import io.jspeed.tensor.kernel.GemmBlocking;

/** The Vector API GEMM ({@link Gemm}) with a host's cache blocking. */
public record JavaFp32Matmul(GemmBlocking blocking) implements MatmulEngine {

    public static final String NAME = "java-fp32";

    /** Blocked for the caches this host reports, without measuring (what runs when nothing was measured). */
    public static JavaFp32Matmul forHost(int threads) {
        return new JavaFp32Matmul(GemmBlocking.fromCaches(HostCaches.read(), threads));
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
        Gemm.matmul(pool, blocking, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
