package io.jspeed.tensor.dnnl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Downcall handles for the part of the oneDNN v2 C API (dnnl.h of libdnnl 2.x, Debian's 2.6.3) that CPU
 * matrix products need: the matmul primitive and dnnl_sgemm. Loading is optional: {@link #load} reports a missing library instead of failing, so callers fall
 * back to the Java kernels. Functions return a dnnl_status_t, checked by {@link #check}.
 */
@SuppressWarnings("restricted")  // binding native code is this class's job; jspeed runs with --enable-native-access
public final class DnnlLibrary {

    /** The soname of the v2 ABI this binding is written against (v3 renamed the memory-descriptor functions). */
    public static final String DEFAULT_NAME = "libdnnl.so.2";

    static final int CPU_ENGINE = 1;             // dnnl_cpu
    static final int STREAM_DEFAULT_FLAGS = 1;   // dnnl_stream_default_flags
    static final int QUERY_IMPL_INFO_STR = 8;    // dnnl_query_impl_info_str
    static final int ARG_SRC = 1, ARG_WEIGHTS = 33, ARG_DST = 17;
    /** sizeof(dnnl_memory_desc_t) is 696 and sizeof(dnnl_matmul_desc_t) 2800 in 2.6; allocated with room to spare. */
    static final long MEMORY_DESC_BYTES = 1024, MATMUL_DESC_BYTES = 4096;

    private static final String[] STATUS = {"success", "out_of_memory", "invalid_arguments", "unimplemented",
        "iterator_ends", "runtime_error", "not_required"};

    final MethodHandle engineCreate, engineDestroy, streamCreate, streamWait, streamDestroy;
    final MethodHandle memoryDescInitByStrides, matmulDescInit;
    final MethodHandle primitiveDescCreate, primitiveDescQuery, primitiveDescDestroy;
    final MethodHandle primitiveCreate, primitiveExecute, primitiveDestroy;
    final MethodHandle memoryCreate, memorySetDataHandle, memoryDestroy;
    private final MethodHandle sgemm;
    private final MethodHandle version;
    /** omp_set_num_threads of the OpenMP runtime libdnnl is built on; null when that runtime is not libgomp. */
    private final MethodHandle ompSetNumThreads;
    private final String name;

    private DnnlLibrary(String name, SymbolLookup dnnl, SymbolLookup gomp) {
        this.name = name;
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor status1 = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        engineCreate = handle(linker, dnnl, "dnnl_engine_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
        engineDestroy = handle(linker, dnnl, "dnnl_engine_destroy", status1);
        streamCreate = handle(linker, dnnl, "dnnl_stream_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        streamWait = handle(linker, dnnl, "dnnl_stream_wait", status1);
        streamDestroy = handle(linker, dnnl, "dnnl_stream_destroy", status1);
        memoryDescInitByStrides = handle(linker, dnnl, "dnnl_memory_desc_init_by_strides",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        matmulDescInit = handle(linker, dnnl, "dnnl_matmul_desc_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        primitiveDescCreate = handle(linker, dnnl, "dnnl_primitive_desc_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        primitiveDescQuery = handle(linker, dnnl, "dnnl_primitive_desc_query",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        primitiveDescDestroy = handle(linker, dnnl, "dnnl_primitive_desc_destroy", status1);
        primitiveCreate = handle(linker, dnnl, "dnnl_primitive_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        primitiveExecute = handle(linker, dnnl, "dnnl_primitive_execute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        primitiveDestroy = handle(linker, dnnl, "dnnl_primitive_destroy", status1);
        memoryCreate = handle(linker, dnnl, "dnnl_memory_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        memorySetDataHandle = handle(linker, dnnl, "dnnl_memory_set_data_handle", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        memoryDestroy = handle(linker, dnnl, "dnnl_memory_destroy", status1);
        version = handle(linker, dnnl, "dnnl_version", FunctionDescriptor.of(ADDRESS));
        // critical with heap access: the Java arrays are passed in place (the GC holds still for the call)
        sgemm = linker.downcallHandle(dnnl.find("dnnl_sgemm").orElseThrow(() -> new IllegalStateException("dnnl_sgemm not found")),
                FunctionDescriptor.of(JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT,
                        ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG),
                Linker.Option.critical(true));
        ompSetNumThreads = gomp == null ? null : gomp.find("omp_set_num_threads")
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.ofVoid(JAVA_INT))).orElse(null);
    }

    /**
     * The library under {@code name} (a soname the dynamic loader resolves, or a path), or empty when it cannot be
     * loaded or lacks a function this binding needs; {@link #missingNotice} says what that means for the user.
     */
    public static Optional<DnnlLibrary> load(String name) {
        preferPassiveOpenMpThreads();
        SymbolLookup dnnl;
        try {
            dnnl = SymbolLookup.libraryLookup(name, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return Optional.empty();
        }
        SymbolLookup gomp;
        try {
            // already mapped as libdnnl's dependency, so this finds the same OpenMP runtime libdnnl uses
            gomp = SymbolLookup.libraryLookup("libgomp.so.1", Arena.global());
        } catch (IllegalArgumentException e) {
            gomp = null;
        }
        try {
            return Optional.of(new DnnlLibrary(name, dnnl, gomp));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /**
     * libgomp's threads spin for a while after each parallel region by default, taking the cores from the Java
     * pool's next kernel; passive makes them sleep at once (a futex wake per oneDNN call costs microseconds).
     * libgomp reads its environment when it is loaded, i.e. with libdnnl just below; a user's own setting wins.
     */
    private static void preferPassiveOpenMpThreads() {
        if (System.getenv("OMP_WAIT_POLICY") != null) return;
        Linker linker = Linker.nativeLinker();
        linker.defaultLookup().find("setenv").ifPresent(setenv -> {
            MethodHandle h = linker.downcallHandle(setenv, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                int ignored = (int) h.invokeExact(arena.allocateFrom("OMP_WAIT_POLICY"), arena.allocateFrom("PASSIVE"), 0);
            } catch (Throwable t) {
                // the default policy only costs speed
            }
        });
    }

    /** One line for the user when {@link #load} found nothing. */
    public static String missingNotice(String name) {
        return "jspeed: oneDNN (" + name + ") not found, so oneDNN matmul is skipped and bf16 GEMMs run on the "
                + "Java Vector API path (bf16-rounded operands, fp32 accumulation); apt-get install libdnnl2 enables it";
    }

    public String name() {
        return name;
    }

    /** "2.6.3" from dnnl_version(). */
    public String version() {
        try {
            MemorySegment v = ((MemorySegment) version.invokeExact()).reinterpret(12);
            return v.get(JAVA_INT, 0) + "." + v.get(JAVA_INT, 4) + "." + v.get(JAVA_INT, 8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * dnnl_sgemm: row-major C[m x n] = alpha*op(A)*op(B) + beta*C on the given segments (heap arrays allowed), with
     * {@code threads} OpenMP threads. The caller must have checked that every addressed element lies in its segment:
     * native code does not.
     */
    public void sgemm(int threads, boolean transA, boolean transB, long m, long n, long k, float alpha,
            MemorySegment a, long lda, MemorySegment b, long ldb, float beta, MemorySegment c, long ldc) {
        setThreads(threads);
        try {
            check((int) sgemm.invokeExact((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, n, k, alpha,
                    a, lda, b, ldb, beta, c, ldc), "dnnl_sgemm(" + m + "x" + n + "x" + k + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets how many OpenMP threads the next oneDNN calls from this thread use (the ICV is per initial thread). */
    void setThreads(int threads) {
        if (ompSetNumThreads == null) return;
        try {
            ompSetNumThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void check(int status, String what) {
        if (status != 0) {
            String name = status > 0 && status < STATUS.length ? STATUS[status] : "status " + status;
            throw new DnnlException("oneDNN " + what + " failed: " + name);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new DnnlException("oneDNN call failed: " + t);
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String function, FunctionDescriptor fd) {
        MemorySegment address = lookup.find(function)
                .orElseThrow(() -> new IllegalStateException("oneDNN function " + function + " not found"));
        return linker.downcallHandle(address, fd);
    }
}
