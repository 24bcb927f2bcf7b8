package io.jspeed.comm.mpi;

import io.jspeed.comm.CommException;
import io.jspeed.comm.CommsLog;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;
import io.jspeed.tensor.HostCaches;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@link ProcessGroup} over an MPI communicator: the ranks of one {@code mpirun} (the world) or a sub-group split
 * from it. Heap arrays are copied through off-heap {@link StagingBuffer}s; every collective is MPI's nonblocking
 * variant, polled with MPI_Test until it completes or the group's deadline passes.
 *
 * <p>MPI has no deadlines and cannot cancel a collective, so a timeout leaves the request outstanding: the group is
 * then broken (every later call throws), its buffers are never freed (MPI may still write them), and the caller is
 * expected to {@link #abort(int)} so the peers end too rather than hang.
 *
 * <p>Reductions follow MPI's algorithm for the size and count, which is fixed (the same inputs give the same bits on
 * every run) but not necessarily a left-to-right sum in rank order as the in-process backend does.
 */
public final class MpiGroup implements ProcessGroup {

    /** MPI can be initialised once per process (MPI_Init after MPI_Finalize is an error), so this mirrors MPI's own state. */
    private static final AtomicBoolean INITIALISED = new AtomicBoolean();
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1); // MPI_IN_PLACE is ((void *) 1)
    private static final long SPIN_NANOS = 1_000_000;
    private static final long YIELD_NANOS = 1_000_000_000;
    private static final long PARK_NANOS = 200_000;
    /** Ends the job when a blocking collective passes its deadline; one daemon thread per process. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("jspeed-mpi-watchdog").daemon().unstarted(r));

    private final MpiLibrary mpi;
    private final MemorySegment comm;
    private final boolean world;
    private final String name;
    private final int rank;
    private final int size;
    private final int worldRank;
    private final long timeoutNanos;
    private final CommsLog log = new CommsLog();
    /**
     * Bulk collectives go to MPI in pieces of at most this many bytes, so a piece and its result stay in the
     * last-level cache: measured here, a 64 MiB reduce-scatter ran at a third of the bandwidth of a 16 MiB one.
     * Staging copies the pieces anyway, so splitting costs no extra copy. Derived from the host's L3, not fixed;
     * {@code -Djspeed.mpi.pieceBytes} overrides it (tests use tiny pieces to cross piece boundaries).
     */
    private static final long PIECE_BYTES = Long.getLong("jspeed.mpi.pieceBytes", Math.max(1L << 20, HostCaches.read().l3() / 2));
    private final StagingBuffer in = new StagingBuffer();
    private final StagingBuffer out = new StagingBuffer();
    private final Arena handles = Arena.ofShared();
    private final MemorySegment request = handles.allocate(MpiLibrary.HANDLE);
    private final MemorySegment flag = handles.allocate(JAVA_INT);
    private long seq;
    private String brokenBy;
    private boolean closed;

    private MpiGroup(MpiLibrary mpi, MemorySegment comm, boolean world, String name, int worldRank, long timeoutNanos) {
        this.mpi = mpi;
        this.comm = comm;
        this.world = world;
        this.name = name;
        this.rank = mpi.commRank(comm);
        this.size = mpi.commSize(comm);
        this.worldRank = world ? rank : worldRank;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Initialises MPI (once per process) and returns the group of all ranks mpirun started. Closing it finalizes MPI.
     * Run without mpirun, Open MPI makes this a world of one rank.
     *
     * @param timeout the deadline of every collective in this group and the groups split from it; null or
     *                non-positive waits forever
     * @throws MpiUnavailableException when libmpi is not installed (one line with the apt-get command)
     */
    public static MpiGroup world(Duration timeout) {
        MpiLibrary mpi = MpiLibrary.load();
        if (!INITIALISED.compareAndSet(false, true)) {
            throw new IllegalStateException("MPI is already initialised in this process: create the world group once"
                    + " and pass it along");
        }
        int provided = mpi.initThread(MpiLibrary.MPI_THREAD_MULTIPLE);
        if (provided >= MpiLibrary.MPI_THREAD_MULTIPLE) mpi.useThreadMultiple();
        if (provided < MpiLibrary.MPI_THREAD_SERIALIZED) {
            throw new CommException("this MPI provides thread level " + provided + ", jspeed needs MPI_THREAD_SERIALIZED ("
                    + MpiLibrary.MPI_THREAD_SERIALIZED + ")");
        }
        long nanos = timeout == null || timeout.isNegative() || timeout.isZero() ? 0 : timeout.toNanos();
        return new MpiGroup(mpi, mpi.commWorld, true, "world", -1, nanos);
    }

    /** True when this process was started by mpirun/srun (a PMI/PMIx environment), i.e. when a world of more than one rank is possible. */
    public static boolean launchedByMpirun() {
        return System.getenv("OMPI_COMM_WORLD_SIZE") != null || System.getenv("PMIX_RANK") != null
                || System.getenv("PMI_RANK") != null;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CommsLog log() {
        return log;
    }

    @Override
    public synchronized void allReduce(float[] buf, int off, int count, ReduceOp op) {
        Objects.checkFromIndexSize(off, count, buf.length);
        int piece = pieceElements(1);
        MemorySegment s = in.get(4L * Math.min(piece, count));
        blocking("allReduce", 4L * count, () -> {
            for (int k = 0; k < count; k += piece) {
                int n = Math.min(piece, count - k);
                MemorySegment.copy(buf, off + k, s, JAVA_FLOAT, 0, n);
                int rc = mpi.allreduce(IN_PLACE, s, n, mpi.floatType, mpiOp(op), comm);
                if (rc != MpiLibrary.MPI_SUCCESS) return rc;
                MemorySegment.copy(s, JAVA_FLOAT, 0, buf, off + k, n);
            }
            return MpiLibrary.MPI_SUCCESS;
        });
        if (op == ReduceOp.AVG) divide(buf, off, count);
    }

    @Override
    public synchronized void allReduce(double[] buf, int off, int count, ReduceOp op) {
        Objects.checkFromIndexSize(off, count, buf.length);
        MemorySegment s = in.get(8L * count);
        MemorySegment.copy(buf, off, s, JAVA_DOUBLE, 0, count);
        run("allReduce", 8L * count, r -> mpi.iallreduce(IN_PLACE, s, count, mpi.doubleType, mpiOp(op), comm, r));
        MemorySegment.copy(s, JAVA_DOUBLE, 0, buf, off, count);
        if (op == ReduceOp.AVG) for (int i = off; i < off + count; i++) buf[i] /= size;
    }

    @Override
    public synchronized void reduceScatter(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank, ReduceOp op) {
        int total = Math.multiplyExact(size, countPerRank);
        Objects.checkFromIndexSize(sendOff, total, send.length);
        Objects.checkFromIndexSize(recvOff, countPerRank, recv.length);
        int piece = pieceElements(size);
        MemorySegment s = in.get(4L * size * Math.min(piece, countPerRank));
        MemorySegment d = out.get(4L * Math.min(piece, countPerRank));
        blocking("reduceScatter", 4L * total, () -> {
            // piece k of every rank's segment, side by side, is itself a reduce-scatter of n per rank
            for (int k = 0; k < countPerRank; k += piece) {
                int n = Math.min(piece, countPerRank - k);
                for (int r = 0; r < size; r++) MemorySegment.copy(send, sendOff + r * countPerRank + k, s, JAVA_FLOAT, 4L * r * n, n);
                int rc = mpi.reduceScatterBlock(s, d, n, mpi.floatType, mpiOp(op), comm);
                if (rc != MpiLibrary.MPI_SUCCESS) return rc;
                MemorySegment.copy(d, JAVA_FLOAT, 0, recv, recvOff + k, n);
            }
            return MpiLibrary.MPI_SUCCESS;
        });
        if (op == ReduceOp.AVG) divide(recv, recvOff, countPerRank);
    }

    @Override
    public synchronized void allGather(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank) {
        int total = Math.multiplyExact(size, countPerRank);
        Objects.checkFromIndexSize(sendOff, countPerRank, send.length);
        Objects.checkFromIndexSize(recvOff, total, recv.length);
        int piece = pieceElements(size);
        MemorySegment s = in.get(4L * Math.min(piece, countPerRank));
        MemorySegment d = out.get(4L * size * Math.min(piece, countPerRank));
        blocking("allGather", 4L * countPerRank, () -> {
            for (int k = 0; k < countPerRank; k += piece) {
                int n = Math.min(piece, countPerRank - k);
                MemorySegment.copy(send, sendOff + k, s, JAVA_FLOAT, 0, n);
                int rc = mpi.allgather(s, d, n, mpi.floatType, comm);
                if (rc != MpiLibrary.MPI_SUCCESS) return rc;
                for (int r = 0; r < size; r++) MemorySegment.copy(d, JAVA_FLOAT, 4L * r * n, recv, recvOff + r * countPerRank + k, n);
            }
            return MpiLibrary.MPI_SUCCESS;
        });
    }

    @Override
    public synchronized void allToAll(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank) {
        int total = Math.multiplyExact(size, countPerRank);
        Objects.checkFromIndexSize(sendOff, total, send.length);
        Objects.checkFromIndexSize(recvOff, total, recv.length);
        MemorySegment s = stageIn(send, sendOff, total);
        MemorySegment d = out.get(4L * total);
        run("allToAll", 4L * total, r -> mpi.ialltoall(s, d, countPerRank, mpi.floatType, comm, r));
        MemorySegment.copy(d, JAVA_FLOAT, 0, recv, recvOff, total);
    }

    @Override
    public synchronized void broadcast(float[] buf, int off, int count, int root) {
        Objects.checkFromIndexSize(off, count, buf.length);
        checkRank("broadcast root", root);
        MemorySegment s = in.get(4L * count);
        if (rank == root) MemorySegment.copy(buf, off, s, JAVA_FLOAT, 0, count);
        run("broadcast", 4L * count, r -> mpi.ibcast(s, count, mpi.floatType, root, comm, r));
        if (rank != root) MemorySegment.copy(s, JAVA_FLOAT, 0, buf, off, count);
    }

    @Override
    public synchronized void send(float[] buf, int off, int count, int dest, int tag) {
        Objects.checkFromIndexSize(off, count, buf.length);
        checkRank("send destination", dest);
        MemorySegment s = stageIn(buf, off, count);
        run("send", 4L * count, r -> mpi.isend(s, count, mpi.floatType, dest, tag, comm, r));
    }

    @Override
    public synchronized void recv(float[] buf, int off, int count, int source, int tag) {
        Objects.checkFromIndexSize(off, count, buf.length);
        checkRank("recv source", source);
        MemorySegment d = out.get(4L * count);
        run("recv", 4L * count, r -> mpi.irecv(d, count, mpi.floatType, source, tag, comm, r));
        MemorySegment.copy(d, JAVA_FLOAT, 0, buf, off, count);
    }

    @Override
    public synchronized void barrier() {
        run("barrier", 0, r -> mpi.ibarrier(comm, r));
    }

    /**
     * MPI_Comm_split. MPI has no nonblocking split, so a barrier with this group's deadline comes first: once every
     * rank has arrived there, the blocking split that follows cannot hang on a missing peer. The sub-group is named
     * after this group and the color, e.g. "world[1]", and keeps this group's deadline.
     */
    @Override
    public synchronized ProcessGroup split(int color, int key) {
        if (color < 0) throw new IllegalArgumentException("split color must be >= 0, got " + color);
        run("split", 0, r -> mpi.ibarrier(comm, r));
        MemorySegment sub = mpi.commSplit(comm, color, key);
        return new MpiGroup(mpi, sub, false, name + "[" + color + "]", worldRank, timeoutNanos);
    }

    /**
     * Ends every rank of the job (MPI_Abort on the world) with this exit code: what a rank does after a
     * {@link CommException}, so that its peers stop waiting. Does not return.
     */
    public void abort(int code) {
        System.err.flush();
        System.out.flush();
        mpi.abort(code);
        Runtime.getRuntime().halt(code); // MPI_Abort normally ends this process too
    }

    /**
     * Frees the communicator (sub-group) or finalizes MPI (world). After a timeout it does neither: MPI_Finalize would
     * wait for the missing peers, and the abandoned request may still write the staging buffers; call
     * {@link #abort(int)} instead.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (brokenBy != null) return;
        in.release();
        out.release();
        if (world) mpi.finalizeMpi();
        else if (!mpi.finalized()) mpi.commFree(comm); // closed after the world: MPI_Finalize already freed it
        handles.close();
    }

    /**
     * With MPI_THREAD_MULTIPLE, threads may block in collectives on different communicators at once; with only
     * MPI_THREAD_SERIALIZED the bulk collectives hold the serializing lock while they block, so one thread must
     * issue them all.
     */
    @Override
    public boolean supportsConcurrentGroups() {
        return mpi.threadMultiple();
    }

    /** One blocking MPI call; returns the MPI error code. */
    @FunctionalInterface
    private interface BlockingCall {
        int call();
    }

    /**
     * A blocking collective bounded by a watchdog: a blocked MPI call cannot be abandoned, so when the deadline passes
     * the watchdog reports the collective, group, sequence number and this rank on stderr and ends the whole job with
     * MPI_Abort, so no rank waits forever.
     */
    private void blocking(String op, long bytes, BlockingCall call) {
        checkUsable(op);
        long n = seq++;
        long t0 = System.nanoTime();
        ScheduledFuture<?> alarm = timeoutNanos <= 0 ? null : WATCHDOG.schedule(() -> {
            System.err.println(timeoutMessage(op, n) + "; aborting the job (MPI_Abort)");
            abort(4);
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        int rc;
        try {
            rc = call.call();
        } finally {
            if (alarm != null) alarm.cancel(false);
        }
        if (rc != MpiLibrary.MPI_SUCCESS) MpiLibrary.check("MPI " + op + " on group '" + name + "'", rc);
        log.record(op, bytes, (System.nanoTime() - t0) * 1e-9);
    }

    /** Starts one nonblocking MPI call, writing its MPI_Request into the given segment; returns the MPI error code. */
    @FunctionalInterface
    private interface Start {
        int start(MemorySegment request);
    }

    private void checkUsable(String op) {
        if (closed) throw new IllegalStateException("MPI group '" + name + "' is closed; " + op + " called on it");
        if (mpi.finalized()) {
            throw new IllegalStateException("MPI is finalized (the world group was closed); " + op + " called on group '"
                    + name + "'");
        }
        if (brokenBy != null) {
            throw new CommException("MPI group '" + name + "' is unusable since " + brokenBy
                    + " timed out; abort the run (" + op + " refused)");
        }
    }

    private void run(String op, long bytes, Start start) {
        checkUsable(op);
        long n = seq++;
        long t0 = System.nanoTime();
        int rc = start.start(request);
        if (rc != MpiLibrary.MPI_SUCCESS) MpiLibrary.check("MPI " + op + " on group '" + name + "'", rc);
        await(op, n, t0);
        log.record(op, bytes, (System.nanoTime() - t0) * 1e-9);
    }

    /**
     * Polls MPI_Test. Open MPI moves data only inside MPI calls, so polling is also what drives the transfer: spin
     * while a completion is likely soon, yield while a large transfer may be in flight (lets another rank on an
     * oversubscribed core run), and after a second, when this rank is plainly waiting for a slower peer, sleep
     * between polls instead of burning the core that peer may need.
     */
    private void await(String op, long n, long t0) {
        while (true) {
            int rc = mpi.test(request, flag);
            if (rc != MpiLibrary.MPI_SUCCESS) MpiLibrary.check("MPI_Test (" + op + " on group '" + name + "')", rc);
            if (flag.get(JAVA_INT, 0) != 0) return;
            long waited = System.nanoTime() - t0;
            if (timeoutNanos > 0 && waited > timeoutNanos) throw timedOut(op, n);
            if (waited < SPIN_NANOS) Thread.onSpinWait();
            else if (waited < YIELD_NANOS) Thread.yield();
            else LockSupport.parkNanos(PARK_NANOS);
        }
    }

    private CommException timedOut(String op, long n) {
        brokenBy = op + " #" + n;
        String message = timeoutMessage(op, n);
        System.err.println(message);
        return new CommException(message);
    }

    private String timeoutMessage(String op, long n) {
        return String.format("jspeed: MPI %s timed out after %.3f s on group '%s' (collective #%d of that"
                        + " group), rank %d of %d (world rank %d); MPI cannot tell which ranks did not arrive",
                op, timeoutNanos * 1e-9, name, n, rank, size, worldRank);
    }

    private MemorySegment mpiOp(ReduceOp op) {
        return switch (op) {
            case SUM, AVG -> mpi.opSum;
            case MAX -> mpi.opMax;
        };
    }

    /** Elements per rank in one piece of a bulk collective over {@code ranksInMessage} segments. */
    private static int pieceElements(int ranksInMessage) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, PIECE_BYTES / (4L * ranksInMessage)));
    }

    /** Copies count floats from src into the input staging buffer, which it returns. */
    private MemorySegment stageIn(float[] src, int off, int count) {
        MemorySegment s = in.get(4L * count);
        MemorySegment.copy(src, off, s, JAVA_FLOAT, 0, count);
        return s;
    }

    /** AVG is SUM divided by the group size; a division (not a multiply by 1/size) so it matches a naive mean exactly. */
    private void divide(float[] buf, int off, int count) {
        float n = size;
        for (int i = off; i < off + count; i++) buf[i] /= n;
    }

    private void checkRank(String what, int r) {
        if (r < 0 || r >= size) {
            throw new IllegalArgumentException(what + " " + r + " is not a rank of group '" + name + "' (size " + size + ")");
        }
    }

    @Override
    public String toString() {
        return "MpiGroup[" + name + ", rank " + rank + " of " + size + "]";
    }
}
