package io.jspeed.train.zero;

import io.jspeed.comm.CommStream;

import java.util.ArrayDeque;

/**
 * Gradient reductions running on the gradient stream, oldest first, with the full buffers they read. Finished ones
 * hand their buffers back to the pool before the next block takes one, so only the reductions actually in flight
 * hold memory. Used by the rank's main thread only.
 */
final class PendingReductions {

    private record InFlight(CommStream.Pending pending, float[] buffer) {}

    private final BufferPool buffers;
    private final ArrayDeque<InFlight> queue = new ArrayDeque<>();

    PendingReductions(BufferPool buffers) {
        this.buffers = buffers;
    }

    void add(CommStream.Pending pending, float[] buffer) {
        queue.add(new InFlight(pending, buffer));
    }

    /** Returns the buffers of the reductions that are done (failures surface here). */
    void recycleFinished() {
        while (!queue.isEmpty() && queue.peek().pending().isDone()) finishOldest();
    }

    /** Waits for every reduction (each has its own deadline) and returns their buffers. */
    void awaitAll() {
        while (!queue.isEmpty()) finishOldest();
    }

    private void finishOldest() {
        InFlight f = queue.poll();
        f.pending().await();
        buffers.give(f.buffer());
    }
}
