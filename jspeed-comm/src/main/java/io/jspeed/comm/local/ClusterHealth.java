package io.jspeed.comm.local;

import io.jspeed.comm.CommException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the ranks of one cluster can still talk: the first failure anywhere (a rank that threw, a timeout, a
 * mismatched call) breaks every group of the cluster, so each waiting and each later collective fails at once with
 * that failure's message instead of waiting for its own deadline. Also knows which ranks' bodies have returned.
 */
final class ClusterHealth {

    /** The first failure: its message, the world rank that saw it, and where it happened (for messages elsewhere). */
    record Failure(int worldRank, String message, Throwable cause, Rendezvous group, long seq) {

        /** The exception a rank waiting in {@code slot}'s collective throws because of this failure. */
        CommException seenFrom(Rendezvous where, Slot slot) {
            if (where == group && slot.seq == seq) return new CommException(message, cause);
            return new CommException(slot.where() + " aborted: " + message, cause);
        }
    }

    private final AtomicReference<Failure> first = new AtomicReference<>();
    private final AtomicIntegerArray departed;
    private final List<Rendezvous> groups = new CopyOnWriteArrayList<>();

    ClusterHealth(int worldSize) {
        departed = new AtomicIntegerArray(worldSize);
    }

    Failure failure() {
        return first.get();
    }

    /** Records f unless an earlier failure exists, then wakes every parked rank so it sees it. */
    void fail(Failure f) {
        if (first.compareAndSet(null, f)) {
            for (Rendezvous g : groups) g.wakeAll();
        }
    }

    void register(Rendezvous group) {
        groups.add(group);
    }

    void unregister(Rendezvous group) {
        groups.remove(group);
    }

    /** The body of this world rank returned: it will call no more collectives. */
    void depart(int worldRank) {
        departed.set(worldRank, 1);
        for (Rendezvous g : groups) g.wakeAll();
    }

    boolean hasDeparted(int worldRank) {
        return departed.get(worldRank) != 0;
    }
}
