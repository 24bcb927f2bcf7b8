package io.jspeed.tensor.matmul;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.jspeed.tensor.BF16;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DataType;
import io.jspeed.tensor.dnnl.DnnlContext;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.dnnl.DnnlMatmulPrimitive;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * bf16 GEMM through oneDNN's matmul primitive: bf16 operands, fp32 accumulation and output (AMX or AVX512-BF16
 * kernels where the CPU has them, whatever oneDNN picks).
 *
 * <p>oneDNN keeps pointers between calls, so heap arrays cannot be handed over: each call stages op(A) and op(B)
 * into off-heap buffers (packed to their row length, converted to bf16), runs the primitive
 * into an off-heap C and merges that into the caller's C with beta. Primitives are cached per (shape,
 * transposes, threads) because creating one generates code. oneDNN runs on its own OpenMP threads, as many as the
 * pool has, so the pool's workers are parked for the call rather than left spinning on the same cores.
 * One call at a time per instance: calls from several threads take turns.
 */
public final class DnnlBf16Matmul implements MatmulEngine {

    public static final String NAME = "dnnl-bf16";

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private record Key(int m, int n, int k, boolean transA, boolean transB, int threads) {
    }

    private static final DataType OPERANDS = DataType.BF16;

    private final DnnlContext ctx;
    private final Map<Key, DnnlMatmulPrimitive> primitives = new HashMap<>();
    private final NativeBuffer aBuf = new NativeBuffer(), bBuf = new NativeBuffer(), cBuf = new NativeBuffer();

    private DnnlBf16Matmul(DnnlContext ctx) {
        this.ctx = ctx;
    }

    /** An engine with its own oneDNN engine and stream. */
    public static DnnlBf16Matmul open(DnnlLibrary lib) {
        return new DnnlBf16Matmul(DnnlContext.open(lib));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean bf16() {
        return true;
    }

    /** The oneDNN kernel behind this shape, e.g. "brg:avx512_core_bf16" (creates the primitive if needed). */
    public synchronized String implementation(Parallel pool, boolean transA, boolean transB, int m, int n, int k) {
        return primitive(new Key(m, n, k, transA, transB, pool.threads())).implementation();
    }

    @Override
    public synchronized void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (trivial(pool, transA, transB, m, n, k, beta, c, cOff, ldc)) return;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        MemorySegment bs = bBuf.atLeast((long) bRows * bCols * OPERANDS.bytes);
        stage(pool, b, bOff, ldb, bRows, bCols, bs);
        multiply(pool, transA, transB, m, n, k, a, aOff, lda, bs, beta, c, cOff, ldc);
    }

    @Override
    public synchronized void matmul(Parallel pool, boolean transA, boolean transB, int m, int n, int k,
            float[] a, int aOff, int lda, Bf16Matrix b, float beta, float[] c, int cOff, int ldc) {
        if (trivial(pool, transA, transB, m, n, k, beta, c, cOff, ldc)) return;
        b.checkOperand(NAME, transB, k, n);
        multiply(pool, transA, transB, m, n, k, a, aOff, lda, b.segment(), beta, c, cOff, ldc);
    }

    /** Empty products: nothing to do, or C = beta*C when the depth is 0 (which the Java GEMM does right). */
    private static boolean trivial(Parallel pool, boolean transA, boolean transB, int m, int n, int k, float beta,
            float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(NAME + ": sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) return true;
        if (k == 0) {
            io.jspeed.tensor.kernel.Gemm.matmul(pool, transA, transB, m, n, 0, new float[0], 0, 1, new float[0], 0, 1,
                    beta, c, cOff, ldc);
            return true;
        }
        return false;
    }

    /** Stages op(A), runs the primitive on the staged B and merges the product into C. */
    private void multiply(Parallel pool, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
            MemorySegment bs, float beta, float[] c, int cOff, int ldc) {
        // stored layouts keep their orientation: A stored [k x m] is op(A) with strides {1, m}
        int aRows = transA ? k : m, aCols = transA ? m : k;
        MemorySegment as = aBuf.atLeast((long) aRows * aCols * OPERANDS.bytes);
        MemorySegment cs = cBuf.atLeast((long) m * n * Float.BYTES);
        DnnlMatmulPrimitive p = primitive(new Key(m, n, k, transA, transB, pool.threads()));
        stage(pool, a, aOff, lda, aRows, aCols, as);
        pool.parkWorkers();
        p.execute(as, bs, cs);
        Copies.poolFor(pool, (long) m * n).forRange(m, (i0, i1) -> merge(cs, n, beta, c, cOff, ldc, i0, i1));
    }

    private DnnlMatmulPrimitive primitive(Key key) {
        DnnlMatmulPrimitive p = primitives.get(key);
        if (p == null) {
            long[] aStrides = key.transA ? new long[] {1, key.m} : new long[] {key.k, 1};
            long[] bStrides = key.transB ? new long[] {1, key.k} : new long[] {key.n, 1};
            p = new DnnlMatmulPrimitive(ctx, key.threads, key.m, key.n, key.k, OPERANDS, aStrides, bStrides);
            primitives.put(key, p);
        }
        return p;
    }

    /** Copies rows x cols of src (row step ld) into dst packed and rounded to bf16. */
    private static void stage(Parallel pool, float[] src, int off, int ld, int rows, int cols, MemorySegment dst) {
        Copies.poolFor(pool, (long) rows * cols).forRange(rows, (r0, r1) -> {
            for (int r = r0; r < r1; r++) BF16.encode(src, off + r * ld, dst, (long) r * cols * OPERANDS.bytes, cols);
        });
    }

    /** Rows [i0, i1) of C = beta*C + the product; beta == 0 overwrites (NaN included). */
    private static void merge(MemorySegment product, int n, float beta, float[] c, int cOff, int ldc, int i0, int i1) {
        for (int i = i0; i < i1; i++) {
            long src = (long) i * n * Float.BYTES;
            int dst = cOff + i * ldc;
            if (beta == 0f) {
                MemorySegment.copy(product, JAVA_FLOAT, src, c, dst, n);
                continue;
            }
            int j = 0;
            for (int bound = F.loopBound(n); j < bound; j += F.length()) {
                FloatVector p = FloatVector.fromMemorySegment(F, product, src + 4L * j, ByteOrder.nativeOrder());
                FloatVector.fromArray(F, c, dst + j).fma(FloatVector.broadcast(F, beta), p).intoArray(c, dst + j);
            }
            for (; j < n; j++) c[dst + j] = Math.fma(beta, c[dst + j], product.get(JAVA_FLOAT, src + 4L * j));
        }
    }

    @Override
    public synchronized void close() {
        for (DnnlMatmulPrimitive p : primitives.values()) p.close();
        primitives.clear();
        aBuf.close();
        bBuf.close();
        cBuf.close();
        ctx.close();
    }
}
