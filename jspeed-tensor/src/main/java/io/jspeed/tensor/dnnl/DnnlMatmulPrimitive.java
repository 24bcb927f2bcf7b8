package io.jspeed.tensor.dnnl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One oneDNN matmul primitive, C[m x n] (f32, rows contiguous) = A[m x k] * B[k x n], with A and B of one element
 * type and any 2-D strides (a transposed operand is just swapped strides). Creating one plans the whole kernel
 * (JIT code generation included, milliseconds), so callers keep it per shape; executing it costs a few downcalls.
 * The thread count the OpenMP runtime reports at creation is baked into the plan, so run it with the same one.
 */
@SuppressWarnings("restricted")  // reads the implementation name oneDNN returns as a C string
public final class DnnlMatmulPrimitive implements AutoCloseable {

    private final DnnlContext ctx;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment primitive;
    private final MemorySegment srcMem, weightsMem, dstMem;
    private final MemorySegment args;
    private final String implementation;
    private final int threads;

    /**
     * A primitive for this shape; {@code aStrides} = {row step, column step} of A in elements, likewise B.
     * Runs with {@code threads} OpenMP threads.
     */
    public DnnlMatmulPrimitive(DnnlContext ctx, int threads, int m, int n, int k, DataType operands,
            long[] aStrides, long[] bStrides) {
        this.ctx = ctx;
        this.threads = threads;
        DnnlLibrary lib = ctx.lib;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment aDesc = desc(lib, tmp, m, k, operands, aStrides);
            MemorySegment bDesc = desc(lib, tmp, k, n, operands, bStrides);
            MemorySegment cDesc = desc(lib, tmp, m, n, DataType.F32, new long[] {n, 1});
            MemorySegment matmul = tmp.allocate(DnnlLibrary.MATMUL_DESC_BYTES, 64);
            DnnlLibrary.check((int) lib.matmulDescInit.invokeExact(matmul, aDesc, bDesc, MemorySegment.NULL, cDesc),
                    "dnnl_matmul_desc_init(" + m + "x" + n + "x" + k + " " + operands + ")");
            MemorySegment out = tmp.allocate(ADDRESS);
            lib.setThreads(threads);
            DnnlLibrary.check((int) lib.primitiveDescCreate.invokeExact(out, matmul, MemorySegment.NULL, ctx.engine,
                    MemorySegment.NULL), "dnnl_primitive_desc_create(matmul " + m + "x" + n + "x" + k + " " + operands + ")");
            MemorySegment pd = out.get(ADDRESS, 0);
            try {
                MemorySegment info = tmp.allocate(ADDRESS);
                int status = (int) lib.primitiveDescQuery.invokeExact(pd, DnnlLibrary.QUERY_IMPL_INFO_STR, 0, info);
                implementation = status == 0 ? info.get(ADDRESS, 0).reinterpret(256).getString(0) : "unknown";
                DnnlLibrary.check((int) lib.primitiveCreate.invokeExact(out, pd), "dnnl_primitive_create(matmul)");
                primitive = out.get(ADDRESS, 0);
            } finally {
                int ignored = (int) lib.primitiveDescDestroy.invokeExact(pd);
            }
            // memory objects start without data (DNNL_MEMORY_NONE); each execute points them at the caller's buffers
            srcMem = memory(lib, ctx.engine, out, aDesc);
            weightsMem = memory(lib, ctx.engine, out, bDesc);
            dstMem = memory(lib, ctx.engine, out, cDesc);
        } catch (Throwable t) {
            throw DnnlLibrary.rethrow(t);
        }
        // dnnl_exec_arg_t {int arg; dnnl_memory_t memory;}: 16 bytes with padding
        args = arena.allocate(48, 8);
        setArg(0, DnnlLibrary.ARG_SRC, srcMem);
        setArg(1, DnnlLibrary.ARG_WEIGHTS, weightsMem);
        setArg(2, DnnlLibrary.ARG_DST, dstMem);
    }

    /** The kernel oneDNN chose, e.g. "brg:avx512_core_bf16" or "brg:avx512_core_amx". */
    public String implementation() {
        return implementation;
    }

    /** Runs C = A * B on buffers laid out as the strides given at creation, and waits for it to finish. */
    public void execute(MemorySegment a, MemorySegment b, MemorySegment c) {
        DnnlLibrary lib = ctx.lib;
        try {
            DnnlLibrary.check((int) lib.memorySetDataHandle.invokeExact(srcMem, a), "dnnl_memory_set_data_handle(src)");
            DnnlLibrary.check((int) lib.memorySetDataHandle.invokeExact(weightsMem, b), "dnnl_memory_set_data_handle(weights)");
            DnnlLibrary.check((int) lib.memorySetDataHandle.invokeExact(dstMem, c), "dnnl_memory_set_data_handle(dst)");
            lib.setThreads(threads);
            DnnlLibrary.check((int) lib.primitiveExecute.invokeExact(primitive, ctx.stream, 3, args), "dnnl_primitive_execute(matmul)");
            DnnlLibrary.check((int) lib.streamWait.invokeExact(ctx.stream), "dnnl_stream_wait");
        } catch (Throwable t) {
            throw DnnlLibrary.rethrow(t);
        }
    }

    @Override
    public void close() {
        DnnlLibrary lib = ctx.lib;
        try {
            int s1 = (int) lib.memoryDestroy.invokeExact(srcMem);
            int s2 = (int) lib.memoryDestroy.invokeExact(weightsMem);
            int s3 = (int) lib.memoryDestroy.invokeExact(dstMem);
            DnnlLibrary.check((int) lib.primitiveDestroy.invokeExact(primitive), "dnnl_primitive_destroy");
        } catch (Throwable t) {
            throw DnnlLibrary.rethrow(t);
        } finally {
            arena.close();
        }
    }

    private void setArg(int index, int arg, MemorySegment memory) {
        args.set(JAVA_INT, 16L * index, arg);
        args.set(ADDRESS, 16L * index + 8, memory);
    }

    private static MemorySegment desc(DnnlLibrary lib, Arena arena, long rows, long cols, DataType type, long[] strides)
            throws Throwable {
        MemorySegment desc = arena.allocate(DnnlLibrary.MEMORY_DESC_BYTES, 64);
        MemorySegment dims = arena.allocateFrom(JAVA_LONG, rows, cols);
        MemorySegment steps = arena.allocateFrom(JAVA_LONG, strides[0], strides[1]);
        DnnlLibrary.check((int) lib.memoryDescInitByStrides.invokeExact(desc, 2, dims, type.code, steps),
                "dnnl_memory_desc_init_by_strides(" + rows + "x" + cols + " " + type + ")");
        return desc;
    }

    private static MemorySegment memory(DnnlLibrary lib, MemorySegment engine, MemorySegment out, MemorySegment desc)
            throws Throwable {
        DnnlLibrary.check((int) lib.memoryCreate.invokeExact(out, desc, engine, MemorySegment.NULL), "dnnl_memory_create");
        return out.get(ADDRESS, 0);
    }
}
