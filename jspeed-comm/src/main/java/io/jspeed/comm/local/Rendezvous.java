package io.jspeed.comm.local;

import io.jspeed.comm.CommException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The meeting point the ranks of one group share. Collective number s of the group has two phases per rank:
 * arrived (2s-1: its {@link Slot} is published) and done (2s: it has finished its share, so the peers may reuse
 * the buffers it read or wrote). A rank waits for a phase by spinning briefly, then yielding, then parking with the
 * deadline; every arrival unparks the parked peers. The waits also watch the cluster's health, so one failure ends
 * every wait at once.
 */
final class Rendezvous {

    /** Longs per phase counter: 128 bytes apart, so two ranks' counters never share a cache line. */
    private static final int PAD = 16;
    private static final int SPINS = 1 << 12;
    private static final int YIELDS = 64;
    /** Upper bound on one park, so a missed wake-up costs at most this much. */
    private static final long PARK_SLICE_NANOS = 10_000_000L;

    final String name;
    final int size;
    final int[] worldRanks;
    final long timeoutNanos;
    final ClusterHealth health;
    final Slot[] slots;
    final PointToPoint p2p;

    private final AtomicLongArray phases;
    private final AtomicReferenceArray<Thread> parked;
    private final AtomicIntegerArray closed;
    private final AtomicInteger openHandles;
    private final Map<ChildKey, Child> children = new ConcurrentHashMap<>();

    private record ChildKey(long seq, int color) {
    }

    /** A group being made by split, handed to each of its members once, then forgotten. */
    private record Child(Rendezvous group, AtomicInteger unclaimed) {
    }

    Rendezvous(String name, int[] worldRanks, long timeoutNanos, ClusterHealth health) {
        this.name = name;
        this.size = worldRanks.length;
        this.worldRanks = worldRanks.clone();
        this.timeoutNanos = timeoutNanos;
        this.health = health;
        this.slots = new Slot[size];
        for (int r = 0; r < size; r++) slots[r] = new Slot(name);
        this.phases = new AtomicLongArray(size * PAD);
        this.parked = new AtomicReferenceArray<>(size);
        this.closed = new AtomicIntegerArray(size);
        this.openHandles = new AtomicInteger(size);
        this.p2p = new PointToPoint(this);
        health.register(this);
    }

    /** Publishes this rank's slot and waits until every rank has published its own for the same call; checks they agree. */
    void meet(int rank, Slot s) {
        reach(rank, 2 * s.seq - 1, s, "did not arrive");
        Slot first = slots[0];
        for (int j = 1; j < size; j++) {
            if (!slots[j].sameCallAs(first)) {
                String message = first.where() + ": mismatched calls: " + label(0) + " called " + first.call()
                        + " but " + label(j) + " called " + slots[j].call();
                throw fail(rank, s, message);
            }
        }
    }

    /** Marks this rank's share done and waits until every rank's is, so nobody reuses a buffer a peer still reads. */
    void leave(int rank, Slot s) {
        reach(rank, 2 * s.seq, s, "did not finish their part");
    }

    private void reach(int rank, long phase, Slot s, String missingVerb) {
        phases.set(rank * PAD, phase);
        wakeAll();
        for (int j = 0; j < size; j++) awaitPhase(j, phase, rank, s, missingVerb);
    }

    private void awaitPhase(int j, long phase, int me, Slot s, String missingVerb) {
        int spins = 0;
        while (phases.get(j * PAD) < phase) {
            ClusterHealth.Failure f = health.failure();
            if (f != null) throw f.seenFrom(this, s);
            // Departure is checked first: a rank whose body ended also closes its handles, and that is the better message.
            // A peer may reach the phase, finish and close between the loop test and these checks: re-read the phase
            // first, or a collective that completed would be reported as abandoned.
            boolean departed = health.hasDeparted(worldRanks[j]), gone = closed.get(j) != 0;
            if ((departed || gone) && phases.get(j * PAD) >= phase) break;
            if (departed) throw fail(me, s, s.where() + ": " + label(j) + " finished without calling it");
            if (gone) throw fail(me, s, s.where() + ": " + label(j) + " closed its handle of the group first");
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            if (spins < SPINS + YIELDS) {
                spins++;
                Thread.yield();
                continue;
            }
            long remaining = s.deadline - System.nanoTime();
            if (remaining <= 0) throw fail(me, s, timeoutMessage(phase, s, missingVerb));
            parked.set(me, Thread.currentThread());
            if (phases.get(j * PAD) < phase && health.failure() == null) {
                LockSupport.parkNanos(this, Math.min(remaining, PARK_SLICE_NANOS));
            }
            parked.set(me, null);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw fail(me, s, s.where() + ": " + label(me) + " was interrupted while waiting");
            }
        }
    }

    private String timeoutMessage(long phase, Slot s, String missingVerb) {
        List<Integer> missing = new ArrayList<>();
        for (int k = 0; k < size; k++) if (phases.get(k * PAD) < phase) missing.add(k);
        StringBuilder who = new StringBuilder(missing.size() == 1 ? "rank " : "ranks ");
        for (int i = 0; i < missing.size(); i++) {
            if (i > 0) who.append(", ");
            who.append(numbered(missing.get(i)));
        }
        return s.where() + " timed out after " + LocalGroup.formatDuration(timeoutNanos) + ": " + who + " " + missingVerb;
    }

    /** Records a failure seen by {@code rank} in {@code s} (first one wins) and returns what that rank throws. */
    CommException fail(int rank, Slot s, String message) {
        health.fail(new ClusterHealth.Failure(worldRanks[rank], message, null, this, s.seq));
        return health.failure().seenFrom(this, s);
    }

    void wakeAll() {
        for (int k = 0; k < size; k++) {
            Thread t = parked.get(k);
            if (t != null) LockSupport.unpark(t);
        }
    }

    /** "rank 2", or "rank 1 (world rank 3)" in a sub-group. */
    String label(int rank) {
        return "rank " + numbered(rank);
    }

    private String numbered(int rank) {
        return worldRanks[rank] == rank ? Integer.toString(rank) : rank + " (world rank " + worldRanks[rank] + ")";
    }

    void close(int rank) {
        if (closed.getAndSet(rank, 1) == 0) {
            wakeAll();
            if (openHandles.decrementAndGet() == 0) health.unregister(this);
        }
    }

    boolean isClosed(int rank) {
        return closed.get(rank) != 0;
    }

    boolean hasLeft(int rank) {
        return closed.get(rank) != 0 || health.hasDeparted(worldRanks[rank]);
    }

    /**
     * The sub-group for {@code members} (ranks of this group, in their new order), made by whichever member asks first
     * at split number {@code seq} and handed to each member once.
     */
    Rendezvous child(long seq, int color, int[] members, String childName) {
        ChildKey key = new ChildKey(seq, color);
        Child c = children.computeIfAbsent(key, k -> {
            int[] world = new int[members.length];
            for (int i = 0; i < members.length; i++) world[i] = worldRanks[members[i]];
            return new Child(new Rendezvous(childName, world, timeoutNanos, health), new AtomicInteger(members.length));
        });
        if (c.unclaimed().decrementAndGet() == 0) children.remove(key);
        return c.group();
    }
}
