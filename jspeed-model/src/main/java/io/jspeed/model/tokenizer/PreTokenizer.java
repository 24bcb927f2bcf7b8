package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Hugging Face pre-tokenizer: cuts a normalized stretch of text into the pieces that BPE merges never cross, and may
 * rewrite them (ByteLevel maps bytes to its printable alphabet, Metaspace turns spaces into '▁').
 */
@FunctionalInterface
interface PreTokenizer {

    /** Passes every piece through unchanged, as a tokenizer.json without a pre-tokenizer does. */
    PreTokenizer NONE = (piece, atTextStart, out) -> out.add(piece);

    /**
     * Appends the pieces of {@code piece} to {@code out}. {@code atTextStart} tells whether it begins the whole
     * input (rather than following an added token), which Metaspace's prepend_scheme "first" asks.
     */
    void split(String piece, boolean atTextStart, List<String> out);

    static PreTokenizer fromJson(JsonNode node, String key, String source) {
        if (node == null || node.isNull()) return NONE;
        String type = HfJson.type(node, key, source);
        return switch (type) {
            case "Sequence" -> {
                JsonNode list = HfJson.array(node, "pretokenizers", key, source);
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(fromJson(list.get(i), key + ".pretokenizers[" + i + "]", source));
                }
                yield sequence(steps);
            }
            case "Split" -> new SplitPreTokenizer(
                    StringPattern.fromJson(node.get("pattern"), key + ".pattern", source),
                    SplitPreTokenizer.Behavior.fromJson(HfJson.text(node, "behavior", key, source), key, source),
                    HfJson.bool(node, "invert", false));
            case "ByteLevel" -> byteLevel(HfJson.bool(node, "add_prefix_space", true),
                    HfJson.bool(node, "use_regex", true));
            case "Metaspace" -> metaspace(node, key, source);
            case "Digits" -> new SplitPreTokenizer(new StringPattern(Pattern.compile("\\p{N}"), null),
                    HfJson.bool(node, "individual_digits", false)
                            ? SplitPreTokenizer.Behavior.ISOLATED : SplitPreTokenizer.Behavior.CONTIGUOUS, false);
            default -> throw HfJson.unsupported(key, type, source);
        };
    }

    private static PreTokenizer sequence(List<PreTokenizer> steps) {
        return (piece, atTextStart, out) -> {
            List<String> pieces = List.of(piece);
            for (PreTokenizer step : steps) {
                List<String> next = new ArrayList<>();
                for (int i = 0; i < pieces.size(); i++) step.split(pieces.get(i), atTextStart && i == 0, next);
                pieces = next;
            }
            out.addAll(pieces);
        };
    }

    /** GPT-2's byte-level step: optionally a leading space and the GPT-2 split, then bytes as alphabet characters. */
    private static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return (piece, atTextStart, out) -> {
            if (addPrefixSpace && !piece.startsWith(" ")) piece = " " + piece;
            if (!useRegex) {
                out.add(ByteLevelAlphabet.encode(piece.getBytes(StandardCharsets.UTF_8)));
                return;
            }
            for (int start = 0; start < piece.length(); ) {
                int end = Gpt2PreTokenizer.tokenEnd(piece, start);
                out.add(ByteLevelAlphabet.encode(piece.substring(start, end).getBytes(StandardCharsets.UTF_8)));
                start = end;
            }
        };
    }

    /** SentencePiece's convention: spaces become the replacement ('▁'), which may also start the text. */
    private static PreTokenizer metaspace(JsonNode node, String key, String source) {
        String replacement = HfJson.text(node, "replacement", key, source);
        String scheme = node.has("prepend_scheme") ? HfJson.text(node, "prepend_scheme", key, source)
                : HfJson.bool(node, "add_prefix_space", true) ? "always" : "never";
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw new IllegalArgumentException(source + ": " + key + ".prepend_scheme \"" + scheme
                    + "\", expected \"always\", \"first\" or \"never\"");
        }
        boolean split = HfJson.bool(node, "split", true);
        SplitPreTokenizer splitter = new SplitPreTokenizer(
                new StringPattern(Pattern.compile(Pattern.quote(replacement)), replacement),
                SplitPreTokenizer.Behavior.MERGED_WITH_NEXT, false);
        return (piece, atTextStart, out) -> {
            String text = piece.replace(" ", replacement);
            boolean prepend = scheme.equals("always") || (scheme.equals("first") && atTextStart);
            if (prepend && !text.startsWith(replacement)) text = replacement + text;
            if (split) splitter.split(text, atTextStart, out);
            else out.add(text);
        };
    }
}
