package io.jspeed.comm;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-collective totals on one rank: calls, bytes this rank contributed, and seconds spent waiting and working.
 * Backends record into it; the trainer writes a snapshot into metrics.jsonl. Safe to read from another thread.
 */
public final class CommsLog {

    /** Totals of one collective kind. */
    public record Entry(long calls, long bytes, double seconds) {
        Entry plus(long b, double s) {
            return new Entry(calls + 1, bytes + b, seconds + s);
        }
    }

    private final Map<String, Entry> entries = new TreeMap<>();

    public synchronized void record(String op, long bytes, double seconds) {
        entries.merge(op, new Entry(1, bytes, seconds), (a, b) -> a.plus(b.bytes(), b.seconds()));
    }

    public synchronized Map<String, Entry> snapshot() {
        return Map.copyOf(entries);
    }
}
