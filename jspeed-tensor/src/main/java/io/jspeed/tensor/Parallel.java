package io.jspeed.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one concurrency primitive every kernel uses: a fixed set of worker threads that split an index range.
 *
 * <p>Workers spin briefly before parking because a park/unpark wake-up costs about 6 µs on this machine kind,
 * which would dominate the small per-layer kernels of a training step. The caller runs the first chunk itself.
 * A call made from inside a running task (nested parallelism) runs serially on the calling thread.
 * An instance is passed to kernels explicitly; nothing looks one up.
 */
public final class Parallel implements AutoCloseable {

    /** A task over the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int SPIN_ITERATIONS = 200_000;
    private static final Parallel SERIAL = new Parallel(1);

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    /** Bumped by {@link #parkWorkers()}: workers that finished a task before the bump stop spinning. */
    private final AtomicInteger parkRequests = new AtomicInteger();
    private volatile boolean closed;
    private volatile RangeBody body;
    private volatile int chunkCount;
    private volatile int rangeEnd;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private volatile Throwable failure;
    private final ThreadLocal<Boolean> insideTask = ThreadLocal.withInitial(() -> false);

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "jspeed-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** A single-threaded instance: every range runs on the calling thread. Immutable, so safe to share. */
    public static Parallel serial() {
        return SERIAL;
    }

    /** {@code threads} workers, or one per available processor when {@code threads} is 0 (the CLI's default). */
    public static Parallel withThreads(int threads) {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = all processors), got " + threads);
        return new Parallel(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    }

    public int threads() {
        return threads;
    }

    /** Runs body over [0, n) split into one contiguous chunk per thread. */
    public void forRange(int n, RangeBody body) {
        forChunks(n, threads, body);
    }

    /**
     * Runs body over [0, n) in {@code chunks} near-equal contiguous chunks handed out dynamically
     * (use more chunks than threads when chunk costs differ, e.g. causal attention rows).
     */
    public void forChunks(int n, int chunks, RangeBody body) {
        if (n <= 0) return;
        chunks = Math.max(1, Math.min(chunks, n));
        if (threads == 1 || chunks == 1 || insideTask.get()) {
            body.run(0, n);
            return;
        }
        synchronized (this) {
            if (closed) throw new IllegalStateException("Parallel pool is closed");
            this.body = body;
            this.chunkCount = chunks;
            this.rangeEnd = n;
            this.failure = null;
            nextChunk.set(0);
            pending.set(workers.length);
            generation.incrementAndGet();
            for (Thread w : workers) LockSupport.unpark(w);
            insideTask.set(true);
            try {
                runChunks();
            } finally {
                insideTask.set(false);
            }
            // A worker may be descheduled on a busy machine; yield after a while instead of burning its core.
            for (int spins = 0; pending.get() != 0; spins++) {
                if (spins < SPIN_ITERATIONS) Thread.onSpinWait();
                else Thread.yield();
            }
            this.body = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new RuntimeException(f);
            }
        }
    }

    private void runChunks() {
        RangeBody b = body;
        int chunks = chunkCount, n = rangeEnd;
        int c;
        while ((c = nextChunk.getAndIncrement()) < chunks) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            try {
                b.run(start, end);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void workerLoop() {
        insideTask.set(true);
        // Start from the generation the constructor left (0), not a fresh read: a call may already have
        // published generation 1 before this thread got scheduled, and re-reading would lose that task.
        int seen = 0;
        int parkSeen = parkRequests.get();
        while (!closed) {
            int spins = 0;
            while (generation.get() == seen && !closed) {
                if (++spins < SPIN_ITERATIONS && parkRequests.get() == parkSeen) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = generation.get();
            runChunks();
            // read before reporting done: a parkWorkers() after the caller returns is then always a change
            parkSeen = parkRequests.get();
            pending.decrementAndGet();
        }
    }

    /**
     * Parks idle workers now instead of after their spin, for a caller about to run native code on threads of its
     * own (oneDNN's OpenMP team), which would otherwise share the cores with spinning workers for milliseconds.
     * The next task wakes them as usual (one unpark each, a few microseconds).
     */
    public void parkWorkers() {
        parkRequests.incrementAndGet();
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
