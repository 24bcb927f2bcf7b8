package io.jspeed.infer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * Python's str methods that chat templates call ({@code content.split('</think>')}, {@code .strip('\n')}, ...), as
 * Jinjava filters named {@code py_<method>}; {@link Pythonisms} turns the method calls into these filters.
 */
final class StringMethodFilter implements Filter {

    static final List<String> METHODS = List.of("startswith", "endswith", "split", "strip", "lstrip", "rstrip");

    private final String method;

    StringMethodFilter(String method) {
        this.method = method;
    }

    /** The method filters, and {@code py_item}: {@code xs[i]} with Python's negative indexes. */
    static List<Filter> all() {
        List<Filter> filters = new ArrayList<>(METHODS.stream().<Filter>map(StringMethodFilter::new).toList());
        filters.add(new StringMethodFilter("item"));
        return filters;
    }

    @Override
    public String getName() {
        return "py_" + method;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        String s = var == null ? "" : var.toString();
        if (method.equals("item")) return item(var, Integer.parseInt(args[0].strip()));
        String arg = args.length > 0 ? args[0] : null;
        return switch (method) {
            case "startswith" -> s.startsWith(arg);
            case "endswith" -> s.endsWith(arg);
            case "split" -> split(s, arg);
            case "strip" -> rstrip(lstrip(s, arg), arg);
            case "lstrip" -> lstrip(s, arg);
            case "rstrip" -> rstrip(s, arg);
            default -> throw new IllegalStateException(method);
        };
    }

    /** Python's s.split(sep): every occurrence, empty parts kept; without sep, runs of whitespace, none empty. */
    private static List<String> split(String s, String sep) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            for (String p : s.strip().split("\\s+")) if (!p.isEmpty()) parts.add(p);
            return parts;
        }
        int from = 0;
        for (int at; (at = s.indexOf(sep, from)) >= 0; from = at + sep.length()) parts.add(s.substring(from, at));
        parts.add(s.substring(from));
        return parts;
    }

    private static Object item(Object var, int index) {
        if (!(var instanceof List<?> list)) {
            throw new IllegalArgumentException("cannot index " + (var == null ? "none" : var.getClass().getSimpleName()));
        }
        int i = index < 0 ? list.size() + index : index;
        if (i < 0 || i >= list.size()) throw new IllegalArgumentException("list index " + index + " out of range");
        return list.get(i);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && strips(s.charAt(i - 1), chars)) i--;
        return s.substring(0, i);
    }
}
