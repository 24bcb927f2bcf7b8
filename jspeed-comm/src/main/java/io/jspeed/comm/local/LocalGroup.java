package io.jspeed.comm.local;

import io.jspeed.comm.CommException;
import io.jspeed.comm.CommsLog;
import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.ReduceOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One rank's handle of an in-process group. Each collective publishes this rank's arrays at the {@link Rendezvous},
 * waits until all ranks have, computes this rank's share reading and writing the peers' arrays directly, and waits
 * until all shares are done. No data is copied through a transport and no buffer is allocated per call.
 *
 * <p>Who computes what: allReduce, rank r reduces chunk r of every rank's buffer (ranks in order 0..n-1) and writes
 * it back into chunk r of every buffer; reduceScatter, rank r reduces block r of every send buffer into its own
 * receive buffer; allGather, allToAll and broadcast, each rank pulls what it receives from the peers' arrays.
 * In place is allowed where NCCL allows it: reduceScatter's recv may be block r of its own send, allGather's send may
 * be block r of its own recv; allToAll's send and recv must not overlap.
 *
 * <p>A handle is for one thread at a time; a call from a second thread while one is in progress is an error.
 */
public final class LocalGroup implements ProcessGroup {

    /** Chunk boundaries of allReduce fall on multiples of this many elements: one cache line of floats. */
    private static final int CHUNK_ALIGN = 16;

    private final Rendezvous rv;
    private final int rank;
    private final Slot slot;
    private final CommsLog log = new CommsLog();
    private final AtomicBoolean busy = new AtomicBoolean();
    private long seq;
    private long startNanos;
    private boolean closed;

    // Scratch for the reduce kernel: one array reference and offset per rank, reused by every call.
    private final float[][] floatArrays;
    private final double[][] doubleArrays;
    private final int[] srcOffsets;
    private final int[] dstOffsets;
    private final float[][] oneDestination = new float[1][];

    LocalGroup(Rendezvous rv, int rank) {
        this.rv = rv;
        this.rank = rank;
        this.slot = rv.slots[rank];
        this.floatArrays = new float[rv.size][];
        this.doubleArrays = new double[rv.size][];
        this.srcOffsets = new int[rv.size];
        this.dstOffsets = new int[rv.size];
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return rv.size;
    }

    @Override
    public String name() {
        return rv.name;
    }

    /** This rank's number in the world group the cluster was made with. */
    public int worldRank() {
        return rv.worldRanks[rank];
    }

    Rendezvous rv() {
        return rv;
    }

    @Override
    public CommsLog log() {
        return log;
    }

    @Override
    public void allReduce(float[] buf, int off, int count, ReduceOp op) {
        framed("allReduce", s -> {
            checkRange(s, "buf", buf.length, off, count);
            meet(s.describe('f', count, op, -1).buffers(buf, off, buf, off));
            if (rv.size > 1) { // one rank: x op nothing is x, so skip the pass over the buffer
                int lo = chunkStart(count, rank), hi = chunkStart(count, rank + 1);
                for (int j = 0; j < rv.size; j++) {
                    floatArrays[j] = (float[]) rv.slots[j].send;
                    srcOffsets[j] = rv.slots[j].sendOff + lo;
                }
                ReduceKernels.reduce(op, rv.size, floatArrays, srcOffsets, rv.size, floatArrays, srcOffsets, hi - lo);
                Arrays.fill(floatArrays, null); // the scratch must not keep the peers' buffers alive
            }
            return end(s, 4L * count);
        });
    }

    @Override
    public void allReduce(double[] buf, int off, int count, ReduceOp op) {
        framed("allReduce", s -> {
            checkRange(s, "buf", buf.length, off, count);
            meet(s.describe('d', count, op, -1).buffers(buf, off, buf, off));
            if (rv.size > 1) {
                int lo = chunkStart(count, rank), hi = chunkStart(count, rank + 1);
                for (int j = 0; j < rv.size; j++) {
                    doubleArrays[j] = (double[]) rv.slots[j].send;
                    srcOffsets[j] = rv.slots[j].sendOff + lo;
                }
                ReduceKernels.reduce(op, rv.size, doubleArrays, srcOffsets, rv.size, doubleArrays, srcOffsets, hi - lo);
                Arrays.fill(doubleArrays, null);
            }
            return end(s, 8L * count);
        });
    }

    @Override
    public void reduceScatter(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank, ReduceOp op) {
        framed("reduceScatter", s -> {
            int total = checkedTotal(s, countPerRank);
            checkRange(s, "send", send.length, sendOff, total);
            checkRange(s, "recv", recv.length, recvOff, countPerRank);
            meet(s.describe('f', countPerRank, op, -1).buffers(send, sendOff, recv, recvOff));
            for (int j = 0; j < rv.size; j++) {
                floatArrays[j] = (float[]) rv.slots[j].send;
                srcOffsets[j] = rv.slots[j].sendOff + rank * countPerRank;
            }
            oneDestination[0] = recv;
            dstOffsets[0] = recvOff;
            ReduceKernels.reduce(op, rv.size, floatArrays, srcOffsets, 1, oneDestination, dstOffsets, countPerRank);
            Arrays.fill(floatArrays, null);
            oneDestination[0] = null;
            return end(s, 4L * total);
        });
    }

    @Override
    public void allGather(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank) {
        exchange("allGather", send, sendOff, recv, recvOff, countPerRank, false);
    }

    @Override
    public void allToAll(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank) {
        exchange("allToAll", send, sendOff, recv, recvOff, countPerRank, true);
    }

    /**
     * allGather (each rank sends one block) and allToAll (each rank sends one block per rank, blockPerRank): block j
     * of this rank's recv is rank j's whole send, or for allToAll block {@code rank} of it.
     */
    private void exchange(String op, float[] send, int sendOff, float[] recv, int recvOff, int countPerRank,
                          boolean blockPerRank) {
        framed(op, s -> {
            int total = checkedTotal(s, countPerRank);
            checkRange(s, "send", send.length, sendOff, blockPerRank ? total : countPerRank);
            checkRange(s, "recv", recv.length, recvOff, total);
            if (blockPerRank && send == recv && sendOff < recvOff + total && recvOff < sendOff + total && total > 0) {
                throw new IllegalArgumentException(s.where() + ": send [" + sendOff + ", " + (sendOff + total) + ") and recv ["
                        + recvOff + ", " + (recvOff + total) + ") overlap in the same array; " + op + " needs separate buffers");
            }
            meet(s.describe('f', countPerRank, null, -1).buffers(send, sendOff, recv, recvOff));
            int block = blockPerRank ? rank * countPerRank : 0;
            for (int j = 0; j < rv.size; j++) {
                Slot peer = rv.slots[j];
                System.arraycopy((float[]) peer.send, peer.sendOff + block, recv, recvOff + j * countPerRank, countPerRank);
            }
            return end(s, 4L * (blockPerRank ? total : countPerRank));
        });
    }

    @Override
    public void broadcast(float[] buf, int off, int count, int root) {
        framed("broadcast", s -> {
            checkRange(s, "buf", buf.length, off, count);
            checkRank(s, "root", root);
            meet(s.describe('f', count, null, root).buffers(buf, off, buf, off));
            if (rank != root) {
                Slot from = rv.slots[root];
                System.arraycopy((float[]) from.send, from.sendOff, buf, off, count);
            }
            return end(s, 4L * count);
        });
    }

    @Override
    public void barrier() {
        framed("barrier", s -> {
            meet(s.describe(' ', 0, null, -1).buffers(null, 0, null, 0));
            return end(s, 0);
        });
    }

    @Override
    public ProcessGroup split(int color, int key) {
        return split(color, key, rv.name + "/" + color);
    }

    @Override
    public ProcessGroup split(int color, int key, String name) {
        return framed("split", s -> {
            s.describe(' ', 0, null, -1).buffers(null, 0, null, 0);
            s.color = color;
            s.key = key;
            meet(s);
            List<Integer> members = new ArrayList<>();
            for (int j = 0; j < rv.size; j++) if (rv.slots[j].color == color) members.add(j);
            members.sort(Comparator.<Integer>comparingInt(j -> rv.slots[j].key).thenComparingInt(j -> j));
            Rendezvous child = rv.child(s.seq, color, members.stream().mapToInt(Integer::intValue).toArray(), name);
            LocalGroup mine = new LocalGroup(child, members.indexOf(rank));
            end(s, 0);
            return mine;
        });
    }

    @Override
    public void send(float[] buf, int off, int count, int dest, int tag) {
        pointToPoint(true, buf, off, count, dest, tag);
    }

    @Override
    public void recv(float[] buf, int off, int count, int source, int tag) {
        pointToPoint(false, buf, off, count, source, tag);
    }

    /** send or recv with peer: not collective, so it goes through {@link PointToPoint}'s letters, not the rendezvous. */
    private void pointToPoint(boolean sending, float[] buf, int off, int count, int peer, int tag) {
        String op = sending ? "send" : "recv";
        framed(op, s -> {
            String what = sending ? "dest" : "source";
            checkRange(s, "buf", buf.length, off, count);
            checkRank(s, what, peer);
            if (peer == rank) throw new IllegalArgumentException(s.where() + ": " + what + " is this rank (" + rank + ")");
            long t0 = System.nanoTime();
            if (sending) rv.p2p.send(rank, buf, off, count, peer, tag);
            else rv.p2p.recv(rank, buf, off, count, peer, tag);
            log.record(op, 4L * count, (System.nanoTime() - t0) * 1e-9);
            return null;
        });
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rv.close(rank);
    }

    @Override
    public String toString() {
        return "LocalGroup[" + rv.name + ", rank " + rank + " of " + rv.size + "]";
    }

    // ---- the frame every call runs in ----

    /** What one call does inside its frame, given this rank's slot; void calls return null. */
    @FunctionalInterface
    private interface Body<T> {
        T run(Slot s);
    }

    /**
     * Runs body as one call on this handle: claims the handle, turns any failure into a broken cluster (see
     * {@link #failed}), and releases the handle however the body ends.
     */
    private <T> T framed(String op, Body<T> body) {
        Slot s = begin(op);
        try {
            return body.run(s);
        } catch (Throwable t) {
            throw failed(s, t);
        } finally {
            release();
        }
    }

    /** Claims the handle for this call and numbers it (point-to-point calls are not numbered: they are not collective). */
    private Slot begin(String op) {
        if (!busy.compareAndSet(false, true)) {
            String message = "group " + rv.name + " rank " + rank + ": " + op + " called while another call is in progress"
                    + " on this handle (a handle is for one thread at a time)";
            rv.health.fail(new ClusterHealth.Failure(worldRank(), message, null, rv, -1));
            throw new IllegalStateException(message);
        }
        boolean collective = !op.equals("send") && !op.equals("recv");
        slot.op = op;
        slot.seq = collective ? ++seq : 0;
        startNanos = System.nanoTime();
        slot.deadline = startNanos + rv.timeoutNanos;
        if (closed) {
            busy.set(false);
            throw new CommException(slot.where() + ": this rank's handle is already closed");
        }
        return slot;
    }

    /** Publishes this rank's described call and waits until every rank has published the same one. */
    private void meet(Slot s) {
        rv.meet(rank, s);
    }

    /** Waits until every rank's share is done, then logs the call; returns null so a void body can end with it. */
    private Void end(Slot s, long bytes) {
        rv.leave(rank, s);
        s.clearBuffers();
        log.record(s.op, bytes, (System.nanoTime() - startNanos) * 1e-9);
        return null;
    }

    private void release() {
        busy.set(false);
    }

    /** Breaks the cluster with t (unless it already is broken) and returns what to throw. */
    private RuntimeException failed(Slot s, Throwable t) {
        if (t instanceof CommException e) return e;
        rv.health.fail(new ClusterHealth.Failure(worldRank(), rv.label(rank) + " failed in " + s.where() + ": " + t, t, rv, -1));
        ClusterHealth.Failure first = rv.health.failure();
        if (first.cause() != t) {
            // Broken earlier by someone else (e.g. a peer's buffers vanished under us): report that, not the echo.
            CommException e = first.seenFrom(rv, s);
            e.addSuppressed(t);
            return e;
        }
        if (t instanceof RuntimeException e) return e;
        if (t instanceof Error e) throw e;
        return new CommException(s.where() + ": " + t, t);
    }

    private int chunkStart(int count, int r) {
        if (r >= rv.size) return count;
        long aligned = (long) count * r / rv.size / CHUNK_ALIGN * CHUNK_ALIGN;
        return (int) aligned;
    }

    private int checkedTotal(Slot s, int countPerRank) {
        if (countPerRank < 0) throw new IllegalArgumentException(s.where() + ": countPerRank " + countPerRank + " is negative");
        long total = (long) countPerRank * rv.size;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(s.where() + ": countPerRank " + countPerRank + " x " + rv.size + " ranks exceeds an array");
        }
        return (int) total;
    }

    private static void checkRange(Slot s, String what, int length, int off, int count) {
        if (count < 0 || off < 0 || (long) off + count > length) {
            throw new IllegalArgumentException(s.where() + ": " + what + " range [" + off + ", " + ((long) off + count)
                    + ") does not fit its array of length " + length);
        }
    }

    private void checkRank(Slot s, String what, int r) {
        if (r < 0 || r >= rv.size) {
            throw new IllegalArgumentException(s.where() + ": " + what + " " + r + " is not a rank of the group (size " + rv.size + ")");
        }
    }

    /** "300 ms" or "12 s": how timeouts read in messages. */
    static String formatDuration(long nanos) {
        long millis = nanos / 1_000_000;
        return millis < 10_000 ? millis + " ms" : millis / 1000 + " s";
    }
}
