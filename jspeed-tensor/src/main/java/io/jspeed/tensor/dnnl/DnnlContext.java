package io.jspeed.tensor.dnnl;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A oneDNN CPU engine and its one execution stream; primitives made from it run on that stream. */
public final class DnnlContext implements AutoCloseable {

    final DnnlLibrary lib;
    final MemorySegment engine;
    final MemorySegment stream;

    private DnnlContext(DnnlLibrary lib, MemorySegment engine, MemorySegment stream) {
        this.lib = lib;
        this.engine = engine;
        this.stream = stream;
    }

    public static DnnlContext open(DnnlLibrary lib) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            DnnlLibrary.check((int) lib.engineCreate.invokeExact(out, DnnlLibrary.CPU_ENGINE, 0L), "dnnl_engine_create(cpu)");
            MemorySegment engine = out.get(ADDRESS, 0);
            int status = (int) lib.streamCreate.invokeExact(out, engine, DnnlLibrary.STREAM_DEFAULT_FLAGS);
            if (status != 0) {
                int ignored = (int) lib.engineDestroy.invokeExact(engine);
                DnnlLibrary.check(status, "dnnl_stream_create");
            }
            return new DnnlContext(lib, engine, out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw DnnlLibrary.rethrow(t);
        }
    }

    public DnnlLibrary library() {
        return lib;
    }

    @Override
    public void close() {
        try {
            DnnlLibrary.check((int) lib.streamDestroy.invokeExact(stream), "dnnl_stream_destroy");
            DnnlLibrary.check((int) lib.engineDestroy.invokeExact(engine), "dnnl_engine_destroy");
        } catch (Throwable t) {
            throw DnnlLibrary.rethrow(t);
        }
    }
}
