package io.jspeed.comm;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A dedicated thread that runs one rank's collectives in the order they were submitted, so the trainer can overlap
 * gradient reduce-scatter with backward and prefetch the next block's gather. Submission order is this rank's
 * program order, so every rank still issues its collectives in the same order. While a stream is open, all
 * collectives on its group go through it (a group handle serves one thread at a time).
 */
public final class CommStream implements AutoCloseable {

    /** A submitted collective. {@link #await} blocks until it has run and rethrows its failure. */
    public static final class Pending {
        private final String what;
        private final Future<?> future;

        private Pending(String what, Future<?> future) {
            this.what = what;
            this.future = future;
        }

        /**
         * Waits for the collective. It has a deadline of its own, so this returns or throws in bounded time. A failure
         * comes back as a {@link CommException} with the original as its cause.
         */
        public void await() {
            try {
                future.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String message = cause instanceof CommException ? cause.getMessage() : what + " failed: " + cause;
                throw new CommException(message, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommException("interrupted while waiting for " + what, e);
            }
        }

        public boolean isDone() {
            return future.isDone();
        }
    }

    private final ProcessGroup group;
    private final ExecutorService thread;

    public CommStream(ProcessGroup group) {
        this.group = group;
        String name = "jspeed-comm-" + group.name() + "-r" + group.rank();
        this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(name).daemon().unstarted(r));
    }

    /** Queues {@code collective} (which receives this stream's group); {@code what} names it in failures. */
    public Pending submit(String what, Consumer<ProcessGroup> collective) {
        if (thread.isShutdown()) {
            throw new IllegalStateException(what + " submitted to the comm stream of group " + group.name() + " after it was closed");
        }
        return new Pending(what + " on group " + group.name(), thread.submit(() -> collective.accept(group)));
    }

    public Pending allReduce(float[] buf, int off, int count, ReduceOp op) {
        return submit("allReduce", g -> g.allReduce(buf, off, count, op));
    }

    public Pending reduceScatter(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank, ReduceOp op) {
        return submit("reduceScatter", g -> g.reduceScatter(send, sendOff, recv, recvOff, countPerRank, op));
    }

    public Pending allGather(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank) {
        return submit("allGather", g -> g.allGather(send, sendOff, recv, recvOff, countPerRank));
    }

    public ProcessGroup group() {
        return group;
    }

    /**
     * Runs what is queued (each collective ends by its deadline at the latest), then stops the thread. Does not close
     * the group.
     */
    @Override
    public void close() {
        thread.close();
    }
}
