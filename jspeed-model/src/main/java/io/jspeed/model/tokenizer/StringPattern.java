package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code {"String": s}} or {@code {"Regex": r}} pattern of Hugging Face's Split and Replace components. Regexes
 * are Oniguruma syntax there; the ones real tokenizers use (\p{L}, \p{N}, (?i:...), lookahead) mean the same in
 * java.util.regex with Unicode character classes, where \s is Unicode White_Space as in Oniguruma.
 */
record StringPattern(Pattern pattern, String literal) {

    static StringPattern fromJson(JsonNode node, String key, String source) {
        if (node != null && node.path("String").isTextual()) {
            String literal = node.get("String").asText();
            return new StringPattern(Pattern.compile(Pattern.quote(literal)), literal);
        }
        if (node != null && node.path("Regex").isTextual()) {
            String regex = node.get("Regex").asText();
            try {
                return new StringPattern(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS), null);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(source + ": " + key + ".Regex " + regex
                        + " does not compile: " + e.getDescription(), e);
            }
        }
        throw new IllegalArgumentException(source + ": " + key + " = " + node
                + ", expected {\"String\": ...} or {\"Regex\": ...}");
    }

    Matcher matcher(CharSequence text) {
        return pattern.matcher(text);
    }

    String replaceAll(String text, String replacement) {
        return literal != null ? text.replace(literal, replacement)
                : pattern.matcher(text).replaceAll(Matcher.quoteReplacement(replacement));
    }
}
