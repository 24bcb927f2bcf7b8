package io.jspeed.infer.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the Python idioms of Hugging Face chat templates (which run under Python's Jinja2) into what Jinjava
 * evaluates the same way: {@code xs[::-1]} becomes {@code (xs|reverse)}; string methods such as
 * {@code s.startswith(p)} become the filters of {@link StringMethodFilter} ({@code s|py_startswith(p)}, and an
 * index on the result {@code |py_item(i)}, negative from the end as in Python); and each
 * keyword value of {@code namespace(k=v, ...)} is parenthesized, since Jinjava binds {@code k=a - 1} as
 * {@code (k=a) - 1}. Jinjava also ignores the whitespace control of expression tags, so {@code {{-} and {@code -}}}
 * strip the surrounding whitespace here. A template none of these touch is unchanged.
 */
final class Pythonisms {

    private static final Pattern REVERSED = Pattern.compile("([\\w.]+)\\[::-1\\]");
    private static final Pattern STRING_METHOD = Pattern.compile(
            "\\.(" + String.join("|", StringMethodFilter.METHODS) + ")\\(");
    /** Jinjava cannot subscript a filter's result ({@code s|py_split(x)[-1]}): index with a filter instead. */
    private static final Pattern FILTER_INDEX = Pattern.compile("(\\|py_\\w+\\([^()]*\\))\\[(-?\\d+)\\]");
    private static final Pattern TRIM_BEFORE = Pattern.compile("\\s*\\{\\{-");
    private static final Pattern TRIM_AFTER = Pattern.compile("-}}\\s*");
    private static final Pattern NAMESPACE = Pattern.compile("namespace\\(([^()]*)\\)");

    private Pythonisms() {}

    static String rewrite(String template) {
        String t = TRIM_BEFORE.matcher(template).replaceAll("{{");
        t = TRIM_AFTER.matcher(t).replaceAll("}}");
        t = REVERSED.matcher(t).replaceAll("($1|reverse)");
        t = STRING_METHOD.matcher(t).replaceAll("|py_$1(");
        for (String before = null; !t.equals(before); ) {
            before = t;
            t = FILTER_INDEX.matcher(t).replaceAll("$1|py_item($2)");
        }
        Matcher m = NAMESPACE.matcher(t);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> args = new ArrayList<>();
            for (String arg : splitTopLevel(m.group(1))) {
                int eq = arg.indexOf('=');
                args.add(eq > 0 && arg.charAt(eq + 1) != '=' ? arg.substring(0, eq).strip() + "=("
                        + arg.substring(eq + 1).strip() + ")" : arg.strip());
            }
            m.appendReplacement(out, Matcher.quoteReplacement("namespace(" + String.join(", ", args) + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Splits on commas outside quotes and brackets. */
    private static List<String> splitTopLevel(String args) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(args.substring(start, i));
                start = i + 1;
            }
        }
        if (!args.substring(start).isBlank()) parts.add(args.substring(start));
        return parts;
    }
}
