package io.jspeed.tensor.matmul;

import io.jspeed.tensor.Parallel;

/** The pool for a memory-bound copy of this many floats: below a few L2-sized chunks a thread hand-off costs more. */
final class Copies {

    private static final long PARALLEL_MIN_FLOATS = 1L << 16;

    private Copies() {
    }

    static Parallel poolFor(Parallel pool, long floats) {
        return floats < PARALLEL_MIN_FLOATS ? Parallel.serial() : pool;
    }
}
