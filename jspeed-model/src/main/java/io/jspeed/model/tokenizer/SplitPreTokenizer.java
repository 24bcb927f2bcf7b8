package io.jspeed.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Hugging Face's Split pre-tokenizer: finds the pattern's matches and keeps, drops or glues them to a neighbour
 * according to the behaviour (the Llama-3 and Qwen regexes use Isolated: matches and gaps each become a piece).
 */
record SplitPreTokenizer(StringPattern pattern, Behavior behavior, boolean invert) implements PreTokenizer {

    enum Behavior {
        REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

        static Behavior fromJson(String name, String key, String source) {
            return switch (name) {
                case "Removed" -> REMOVED;
                case "Isolated" -> ISOLATED;
                case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
                case "MergedWithNext" -> MERGED_WITH_NEXT;
                case "Contiguous" -> CONTIGUOUS;
                default -> throw new IllegalArgumentException(source + ": unsupported " + key + ".behavior \""
                        + name + "\", expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous");
            };
        }
    }

    @Override
    public void split(String piece, boolean atTextStart, List<String> out) {
        // Spans as {start, end, matched}: the matches and the gaps between them, in order, none empty.
        List<int[]> spans = new ArrayList<>();
        Matcher m = pattern.matcher(piece);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;
            if (m.start() > last) spans.add(new int[] {last, m.start(), invert ? 1 : 0});
            spans.add(new int[] {m.start(), m.end(), invert ? 0 : 1});
            last = m.end();
        }
        if (last < piece.length()) spans.add(new int[] {last, piece.length(), invert ? 1 : 0});

        List<int[]> merged = switch (behavior) {
            case ISOLATED -> spans;
            case REMOVED -> spans.stream().filter(s -> s[2] == 0).toList();
            case MERGED_WITH_PREVIOUS -> mergeWithPrevious(spans);
            case MERGED_WITH_NEXT -> mergeWithNext(spans);
            case CONTIGUOUS -> contiguous(spans);
        };
        for (int[] s : merged) out.add(piece.substring(s[0], s[1]));
    }

    private static List<int[]> mergeWithPrevious(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int[] s : spans) {
            boolean match = s[2] == 1;
            if (match && !previousMatch && !out.isEmpty()) out.getLast()[1] = s[1];
            else out.add(s.clone());
            previousMatch = match;
        }
        return out;
    }

    private static List<int[]> mergeWithNext(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int i = spans.size() - 1; i >= 0; i--) {
            int[] s = spans.get(i);
            boolean match = s[2] == 1;
            if (match && !previousMatch && !out.isEmpty()) out.getLast()[0] = s[0];
            else out.add(s.clone());
            previousMatch = match;
        }
        return out.reversed();
    }

    private static List<int[]> contiguous(List<int[]> spans) {
        List<int[]> out = new ArrayList<>();
        boolean previousMatch = false;
        for (int[] s : spans) {
            boolean match = s[2] == 1;
            if (match == previousMatch && !out.isEmpty()) out.getLast()[1] = s[1];
            else out.add(s.clone());
            previousMatch = match;
        }
        return out;
    }
}
