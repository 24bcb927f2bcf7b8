package io.jspeed.comm.mpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Reusable off-heap memory that a heap float[]/double[] is copied through on its way to and from MPI.
 *
 * <p>Why stage rather than pass the heap array with {@code Linker.Option.critical(true)}: every collective here is
 * nonblocking (so it can have a deadline), and MPI keeps using the buffer after the call returns while the GC is free to
 * move a heap array; critical heap access only holds for the duration of one call. A blocking call in critical mode
 * would also hold off every GC in the process for as long as the slowest peer takes. The copy costs one pass over the
 * data each way, small next to moving it between processes. Callers whose data already lives off heap can be given
 * MemorySegment overloads later without a copy.
 *
 * <p>Grows on demand (to the next power of two, 64-byte aligned for vectorized copies and MPI's own memcpy) and is
 * never shrunk. Not thread-safe: each group owns its own and runs one collective at a time.
 */
final class StagingBuffer {

    private static final long ALIGN = 64;

    private Arena arena;
    private MemorySegment segment = MemorySegment.NULL;

    /** A segment of exactly {@code bytes} bytes; its contents are undefined. */
    MemorySegment get(long bytes) {
        if (bytes > segment.byteSize()) {
            if (arena != null) arena.close();
            arena = Arena.ofShared();
            long capacity = Math.max(4096, Long.highestOneBit(Math.max(1, bytes - 1)) << 1);
            segment = arena.allocate(capacity, ALIGN);
        }
        return segment.asSlice(0, Math.max(bytes, 0));
    }

    /** Frees the memory; only when MPI can no longer touch it (no request outstanding). */
    void release() {
        if (arena != null) arena.close();
        arena = null;
        segment = MemorySegment.NULL;
    }
}
