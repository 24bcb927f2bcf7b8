package io.jspeed.comm.local;

import io.jspeed.comm.CommException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Tagged send/recv between two ranks of a group. A send posts a letter holding a reference to the sender's array
 * and waits until the receiver has copied it (the semantics of MPI_Ssend: a program that works here does not rely
 * on buffering). Letters from one source with one tag are received in the order they were sent.
 */
final class PointToPoint {

    private static final long WAIT_SLICE_MILLIS = 10;

    private final Rendezvous group;
    private final Object lock = new Object();
    private final List<List<Letter>> inboxes = new ArrayList<>();

    private static final class Letter {
        final int source;
        final int tag;
        final float[] buf;
        final int off;
        final int count;
        boolean taken;
        String error;

        Letter(int source, int tag, float[] buf, int off, int count) {
            this.source = source;
            this.tag = tag;
            this.buf = buf;
            this.off = off;
            this.count = count;
        }
    }

    PointToPoint(Rendezvous group) {
        this.group = group;
        for (int r = 0; r < group.size; r++) inboxes.add(new ArrayList<>());
    }

    void send(int me, float[] buf, int off, int count, int dest, int tag) {
        String where = "send of " + count + " floats from " + group.label(me) + " to " + group.label(dest)
                + " (tag " + tag + ") in group " + group.name;
        long deadline = System.nanoTime() + group.timeoutNanos;
        Letter letter = new Letter(me, tag, buf, off, count);
        synchronized (lock) {
            inboxes.get(dest).add(letter);
            lock.notifyAll();
            try {
                while (!letter.taken) {
                    String problem = problem(dest, deadline, "did not receive it");
                    if (problem != null) {
                        inboxes.get(dest).remove(letter);
                        throw fail(me, where, problem);
                    }
                    waitSlice(deadline);
                }
            } catch (InterruptedException e) {
                inboxes.get(dest).remove(letter);
                Thread.currentThread().interrupt();
                throw fail(me, where, "interrupted");
            }
        }
        if (letter.error != null) throw new CommException(letter.error);
    }

    void recv(int me, float[] buf, int off, int count, int source, int tag) {
        String where = "recv of " + count + " floats at " + group.label(me) + " from " + group.label(source)
                + " (tag " + tag + ") in group " + group.name;
        long deadline = System.nanoTime() + group.timeoutNanos;
        Letter letter;
        synchronized (lock) {
            try {
                while ((letter = take(me, source, tag)) == null) {
                    String problem = problem(source, deadline, "did not send it");
                    if (problem != null) throw fail(me, where, problem);
                    waitSlice(deadline);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail(me, where, "interrupted");
            }
            if (letter.count != count) {
                letter.error = where + ": mismatched counts: " + group.label(source) + " sent " + letter.count + " floats";
                letter.taken = true;
                lock.notifyAll();
                group.health.fail(new ClusterHealth.Failure(group.worldRanks[me], letter.error, null, group, -1));
                throw new CommException(letter.error);
            }
        }
        // Copied outside the lock so a large message does not hold up the other pairs of the group.
        System.arraycopy(letter.buf, letter.off, buf, off, count);
        synchronized (lock) {
            letter.taken = true;
            lock.notifyAll();
        }
    }

    private Letter take(int me, int source, int tag) {
        for (Iterator<Letter> it = inboxes.get(me).iterator(); it.hasNext(); ) {
            Letter l = it.next();
            if (l.source == source && l.tag == tag) {
                it.remove();
                return l;
            }
        }
        return null;
    }

    /** Why waiting for {@code peer} must stop now, or null to keep waiting. */
    private String problem(int peer, long deadline, String missingVerb) {
        ClusterHealth.Failure f = group.health.failure();
        if (f != null) return "aborted: " + f.message();
        if (group.hasLeft(peer)) return group.label(peer) + " left the group and " + missingVerb;
        if (System.nanoTime() - deadline >= 0) {
            return "timed out after " + LocalGroup.formatDuration(group.timeoutNanos) + ": " + group.label(peer) + " " + missingVerb;
        }
        return null;
    }

    private void waitSlice(long deadline) throws InterruptedException {
        long millis = Math.max(1, Math.min(WAIT_SLICE_MILLIS, (deadline - System.nanoTime()) / 1_000_000));
        lock.wait(millis);
    }

    private CommException fail(int me, String where, String problem) {
        String message = where + " " + problem;
        ClusterHealth.Failure f = group.health.failure();
        if (f == null) group.health.fail(new ClusterHealth.Failure(group.worldRanks[me], message, null, group, -1));
        return new CommException(message, f == null ? null : f.cause());
    }
}
