package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The added_tokens of a tokenizer.json (special ones such as {@code <|begin_of_text|>} and plain ones such as
 * Qwen's {@code <think>}): found in the text before the model sees it, leftmost first and longest among those
 * starting there (Hugging Face's Aho-Corasick LeftmostLongest), so BPE never splits them. Tokens flagged
 * {@code normalized} are searched after normalization, the others in the raw text.
 */
final class AddedTokens {

    record Token(String content, int id, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                 boolean normalized) {}

    /** A stretch of text: either an added token ({@code id >= 0}) or text for the model. */
    record Segment(String text, int id) {}

    /** A character trie; {@code token} marks the end of an added token's content. */
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        Token token;
    }

    private final List<Token> tokens;
    private final Node raw = new Node();
    private final Node normalized = new Node();

    AddedTokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
        for (Token t : tokens) {
            if (t.content().isEmpty()) continue;
            Node node = t.normalized() ? normalized : raw;
            for (int i = 0; i < t.content().length(); i++) {
                node = node.children.computeIfAbsent(t.content().charAt(i), c -> new Node());
            }
            node.token = t;
        }
    }

    static AddedTokens fromJson(JsonNode list, String source) {
        List<Token> tokens = new ArrayList<>();
        if (list == null || list.isNull()) return new AddedTokens(tokens);
        if (!list.isArray()) throw new IllegalArgumentException(source + ": added_tokens must be an array");
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String key = "added_tokens[" + i + "]";
            JsonNode id = t.get("id");
            if (id == null || !id.canConvertToInt() || id.intValue() < 0) {
                throw new IllegalArgumentException(source + ": " + key + ".id = " + id + ", expected an id >= 0");
            }
            tokens.add(new Token(HfJson.text(t, "content", key, source), id.intValue(),
                    HfJson.bool(t, "special", false), HfJson.bool(t, "lstrip", false), HfJson.bool(t, "rstrip", false),
                    HfJson.bool(t, "single_word", false), HfJson.bool(t, "normalized", false)));
        }
        return new AddedTokens(tokens);
    }

    List<Token> tokens() {
        return tokens;
    }

    /** Splits raw text by the tokens searched before normalization. */
    List<Segment> splitRaw(String text) {
        return split(text, raw);
    }

    /** Splits normalized text by the tokens flagged {@code normalized}. */
    List<Segment> splitNormalized(String text) {
        return split(text, normalized);
    }

    private static List<Segment> split(String text, Node root) {
        List<Segment> out = new ArrayList<>();
        if (root.children.isEmpty()) {
            if (!text.isEmpty()) out.add(new Segment(text, -1));
            return out;
        }
        int textStart = 0; // start of the pending stretch of plain text
        for (int i = 0; i < text.length(); ) {
            Token found = null;
            int foundEnd = -1;
            Node node = root;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) break;
                if (node.token != null && (!node.token.singleWord() || isWordBoundary(text, i, j + 1))) {
                    found = node.token;
                    foundEnd = j + 1;
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            int start = i, end = foundEnd;
            if (found.lstrip()) while (start > textStart && Character.isWhitespace(text.charAt(start - 1))) start--;
            if (found.rstrip()) while (end < text.length() && Character.isWhitespace(text.charAt(end))) end++;
            if (start > textStart) out.add(new Segment(text.substring(textStart, start), -1));
            out.add(new Segment(found.content(), found.id()));
            textStart = end;
            i = end;
        }
        if (textStart < text.length()) out.add(new Segment(text.substring(textStart), -1));
        return out;
    }

    private static boolean isWordBoundary(String text, int start, int end) {
        return (start == 0 || !Character.isLetterOrDigit(text.charAt(start - 1)))
                && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)));
    }
}
