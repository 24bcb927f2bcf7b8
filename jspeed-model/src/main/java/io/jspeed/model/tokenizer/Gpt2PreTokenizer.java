package io.jspeed.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * GPT-2's ByteLevel pre-tokenizer, hand-written: splits text exactly where {@link #GPT2_PATTERN} would, without the
 * regex engine's backtracking and per-match allocation (the pattern dominated encode time). BPE merges never cross
 * the boundaries found here.
 */
final class Gpt2PreTokenizer {

    /** The reference the scanner must agree with; \s means Unicode White_Space, as in Hugging Face. */
    static final Pattern GPT2_PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final byte LETTER = 0, NUMBER = 1, SPACE = 2, OTHER = 3;
    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII_CLASS[c] = classifySlow(c);
    }

    private Gpt2PreTokenizer() {}

    /** The end (exclusive) of the pre-token that starts at {@code start}; {@code start < text.length()}. */
    static int tokenEnd(String text, int start) {
        int len = text.length();
        char first = text.charAt(start);
        if (first == '\'' && start + 1 < len) {
            char c1 = text.charAt(start + 1);
            if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return start + 2;
            if (start + 2 < len) {
                char c2 = text.charAt(start + 2);
                if ((c2 == 'e' && (c1 == 'r' || c1 == 'v')) || (c1 == 'l' && c2 == 'l')) return start + 3;
            }
        }
        // " ?X+" for X in letters, numbers, other: an optional single space glues onto the following run.
        if (first == ' ' && start + 1 < len) {
            byte next = classAt(text, start + 1);
            if (next != SPACE) return runEnd(text, start + 1, next);
        }
        byte cls = classAt(text, start);
        if (cls != SPACE) return runEnd(text, start, cls);
        // \s+(?!\S) backs off one character so the last space can prefix the next word; \s+ takes a lone one.
        int end = runEnd(text, start, SPACE);
        if (end == len || end - start == 1) return end;
        return end - 1; // White_Space characters are all in the BMP, so one char is one code point
    }

    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = tokenEnd(text, i);
            pieces.add(text.substring(i, end));
            i = end;
        }
        return pieces;
    }

    private static int runEnd(String text, int from, byte cls) {
        int len = text.length();
        int i = from;
        while (i < len) {
            char c = text.charAt(i);
            if (c < 128) {
                if (ASCII_CLASS[c] != cls) break;
                i++;
            } else {
                int cp = text.codePointAt(i);
                if (classifySlow(cp) != cls) break;
                i += Character.charCount(cp);
            }
        }
        return i;
    }

    private static byte classAt(String text, int i) {
        char c = text.charAt(i);
        return c < 128 ? ASCII_CLASS[c] : classifySlow(text.codePointAt(i));
    }

    private static byte classifySlow(int cp) {
        if (isWhiteSpace(cp)) return SPACE;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    /** Unicode's White_Space property (what \s means in Unicode regexes); Character.isWhitespace differs. */
    private static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
