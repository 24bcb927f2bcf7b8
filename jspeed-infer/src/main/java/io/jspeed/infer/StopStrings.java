package io.jspeed.infer;

import java.util.List;

/**
 * Streams generated text while watching for stop strings: text that could still become the start of a stop string
 * is held back, so the stop string itself is never printed. Not thread-safe.
 */
public final class StopStrings {

    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    public StopStrings(List<String> stops) {
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("--stop: a stop string must not be empty");
        this.stops = List.copyOf(stops);
    }

    public boolean stopped() {
        return stopped;
    }

    /** Adds newly decoded text; returns what is now safe to print (everything before a stop string, once one appears). */
    public String accept(String text) {
        if (stopped) return "";
        pending.append(text);
        int first = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String out = pending.substring(0, first);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        for (String s : stops)
            for (int k = Math.min(s.length() - 1, pending.length()); k > hold; k--)
                if (pending.substring(pending.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** Whatever was held back (generation ended without completing a stop string). */
    public String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }
}
