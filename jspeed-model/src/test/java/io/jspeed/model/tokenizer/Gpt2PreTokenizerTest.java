package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class Gpt2PreTokenizerTest {

    /** Letters, numbers, every kind of space the regex and Character.isWhitespace disagree on, marks, surrogates. */
    private static final String[] ALPHABET = {
        " ", " ", " ", "\t", "\n", "\r", "\u000B", "\u000C", "\u001C", "\u0085", "\u00A0", "\u1680", "\u2003",
        "\u2028", "\u202F", "\u3000", "\u200B", "a", "Z", "s", "t", "r", "e", "v", "l", "m", "d", "é", "中", "ß",
        "0", "7", "²", "Ⅻ", "٣", "'", "'", "\"", "(", ")", "{", ";", ".", "_", "$", "@", "*", "/", "-", "\u0301",
        "😀", "𝔸", "\uD800", "\uDC00", "ǅ", "ʰ"
    };

    @Test
    void splitsLikeGpt2OnKnownExamples() {
        assertThat(Gpt2PreTokenizer.split("Hello world")).containsExactly("Hello", " world");
        assertThat(Gpt2PreTokenizer.split("I'm here's 're")).containsExactly("I", "'m", " here", "'s", " '", "re");
        assertThat(Gpt2PreTokenizer.split("    return x;")).containsExactly("   ", " return", " x", ";");
        assertThat(Gpt2PreTokenizer.split("a\n\nb")).containsExactly("a", "\n", "\n", "b");
        assertThat(Gpt2PreTokenizer.split("x  \n")).containsExactly("x", "  \n");
        assertThat(Gpt2PreTokenizer.split("i += 42;")).containsExactly("i", " +=", " 42", ";");
        assertThat(Gpt2PreTokenizer.split("")).isEmpty();
    }

    @Test
    void agreesWithTheRegexOnJavaLikeText() {
        String code = """
                /**
                 * Returns the élan of {@code x}'s 中文 value, or -1 if it's absent.
                 */
                public static int find(int[] a, int key) {\r
                \tfor (int i = 0; i < a.length; i++) {   \s
                        if (a[i] == key) return i; // 😀 done\u00A0!
                    }

                    return -1;
                }
                """;
        assertThat(Gpt2PreTokenizer.split(code)).isEqualTo(regexSplit(code));
    }

    @Test
    void agreesWithTheRegexOnRandomStrings() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(30);
            for (int i = 0; i < length; i++) sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            String text = sb.toString();
            assertThat(Gpt2PreTokenizer.split(text)).as("pieces of %s", escape(text)).isEqualTo(regexSplit(text));
        }
    }

    @Test
    void agreesWithTheRegexOnRandomCodePoints() {
        Random random = new Random(11);
        for (int trial = 0; trial < 5_000; trial++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(20);
            for (int i = 0; i < length; i++) {
                int cp = random.nextInt(4) == 0 ? random.nextInt(0x80) : random.nextInt(0x30000);
                sb.appendCodePoint(cp);
            }
            String text = sb.toString();
            assertThat(Gpt2PreTokenizer.split(text)).as("pieces of %s", escape(text)).isEqualTo(regexSplit(text));
        }
    }

    static List<String> regexSplit(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = Gpt2PreTokenizer.GPT2_PATTERN.matcher(text);
        int expectedStart = 0;
        while (m.find()) {
            assertThat(m.start()).as("regex matches tile the text").isEqualTo(expectedStart);
            pieces.add(m.group());
            expectedStart = m.end();
        }
        assertThat(expectedStart).isEqualTo(text.length());
        return pieces;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", (int) c) : c);
        return sb.toString();
    }
}
