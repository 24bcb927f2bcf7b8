package io.jspeed.tensor.matmul;

import io.jspeed.tensor.Parallel;

/**
 * One way to compute C[m x n] = beta*C + op(A)[m x k] * op(B)[k x n] over row-major float arrays, with the
 * argument conventions of {@link io.jspeed.tensor.kernel.Gemm#matmul}: transA means A is stored [k x m],
 * transB means B is stored [n x k], and beta == 0 overwrites C, NaN included. Operands and C are always fp32 in
 * memory; a bf16 engine rounds the operands to bf16 and accumulates in fp32 (DeepSpeed's bf16 semantics), so
 * fp32 master weights stay untouched. Engines are passed explicitly; each may hold native resources, hence close.
 */
public interface MatmulEngine extends AutoCloseable {

    /** "java-fp32", "java-bf16", "dnnl-fp32" or "dnnl-bf16": the name the cache file and the bench print. */
    String name();

    /** True when operands are rounded to bf16 before multiplying. */
    boolean bf16();

    void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /**
     * The same product with B given as a {@link Bf16Matrix} (a weight converted once per optimizer step), stored
     * [k x n], or [n x k] when transB. Only bf16 engines take one: its values are bf16 already.
     */
    default void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, Bf16Matrix b, float beta, float[] c, int cOff, int ldc) {
        throw new UnsupportedOperationException(name() + " multiplies fp32 operands; a Bf16Matrix needs a bf16 engine");
    }

    @Override
    default void close() {
    }
}
