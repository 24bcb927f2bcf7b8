package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply over row-major arrays with leading dimensions, the kernel all training runs on.
 */
public final class Gemm {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Gemm() {
    }

    /**
     * C[m x n] = beta*C + op(A)[m x k] * op(B)[k x n], row-major with leading dimensions.
     * transA=false: A(i,p) = a[aOff + i*lda + p] (A stored [m x k]); transA=true: A(i,p) = a[aOff + p*lda + i] (stored [k x m]).
     * transB=false: B(p,j) = b[bOff + p*ldb + j] (stored [k x n]); transB=true: B(p,j) = b[bOff + j*ldb + p] (stored [n x k]).
     * beta==0 overwrites whatever C held, even NaN. Uses all threads of pool; Parallel.serial() runs on the caller.
     */
    public static void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        pool.forRange(m, (i0, i1) -> {
            float[] row = new float[k];
            for (int i = i0; i < i1; i++) {
                for (int p = 0; p < k; p++) row[p] = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) c[ci + j] = beta == 0f ? 0f : beta * c[ci + j];
                if (transB) {
                    for (int j = 0; j < n; j++) c[ci + j] += dot(row, b, bOff + j * ldb, k);
                } else {
                    for (int p = 0; p < k; p++) axpy(row[p], b, bOff + p * ldb, c, ci, n);
                }
            }
        });
    }

    private static float dot(float[] x, float[] y, int yOff, int len) {
        FloatVector acc = FloatVector.zero(F);
        int p = 0;
        for (int bound = F.loopBound(len); p < bound; p += F.length()) {
            acc = FloatVector.fromArray(F, x, p).fma(FloatVector.fromArray(F, y, yOff + p), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < len; p++) s += x[p] * y[yOff + p];
        return s;
    }

    private static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) {
            av.fma(FloatVector.fromArray(F, x, xOff + j), FloatVector.fromArray(F, y, yOff + j)).intoArray(y, yOff + j);
        }
        for (; j < len; j++) y[yOff + j] += alpha * x[xOff + j];
    }
}
