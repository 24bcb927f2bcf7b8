package io.jspeed.tensor.matmul;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** An off-heap buffer that only grows, so the native operands of a training step are allocated once. */
final class NativeBuffer implements AutoCloseable {

    private Arena arena;
    private MemorySegment segment = MemorySegment.NULL;

    /** At least {@code bytes} of 64-byte-aligned memory; the previous contents are not kept when it grows. */
    MemorySegment atLeast(long bytes) {
        if (segment.byteSize() < bytes) {
            close();
            arena = Arena.ofShared();
            segment = arena.allocate(bytes, 64);
        }
        return segment;
    }

    @Override
    public void close() {
        if (arena != null) arena.close();
        arena = null;
        segment = MemorySegment.NULL;
    }
}
