package io.jspeed.infer.runtime;

/**
 * One sequence being generated: its KV cache and how many positions it holds. The next token fed to
 * {@link LanguageModel#forward} takes position {@link #length()}. Not thread-safe; a sequence belongs to one caller.
 */
public final class SequenceState {

    private final KvCache cache;
    private int length;

    SequenceState(KvCache cache) {
        this.cache = cache;
    }

    public int length() {
        return length;
    }

    public KvCache cache() {
        return cache;
    }

    /** Forgets positions from {@code newLength} on (e.g. to re-run after a rejected draft, or to reuse the cache). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length)
            throw new IllegalArgumentException("truncate to " + newLength + " outside [0, " + length + "]");
        length = newLength;
    }

    void advance(int n) {
        length += n;
    }
}
