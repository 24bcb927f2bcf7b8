package io.jspeed.infer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent)}, so {@code {"a": [1, 2]}} with spaces after ':' and ','
 * (Jinjava's own tojson writes compact JSON, which would change the prompt a model was trained on).
 */
final class PythonJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return dumps(var, args.length > 0 && args[0] != null ? Integer.parseInt(args[0].strip()) : -1);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        return dumps(var, indent == null ? -1 : Integer.parseInt(indent.toString().strip()));
    }

    /** {@code indent < 0}: one line. */
    static String dumps(Object value, int indent) {
        StringBuilder out = new StringBuilder();
        write(value, indent, 0, out);
        return out.toString();
    }

    private static void write(Object value, int indent, int depth, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Number n -> out.append(n);
            case CharSequence s -> string(s.toString(), out);
            case Map<?, ?> map -> container(map.entrySet().iterator(), '{', '}', indent, depth, out);
            case List<?> list -> container(list.iterator(), '[', ']', indent, depth, out);
            default -> string(value.toString(), out);
        }
    }

    private static void container(Iterator<?> items, char open, char close, int indent, int depth, StringBuilder out) {
        out.append(open);
        if (!items.hasNext()) {
            out.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            Object item = items.next();
            if (!first) out.append(indent >= 0 ? "," : ", ");
            first = false;
            if (indent >= 0) out.append('\n').append(" ".repeat(indent * (depth + 1)));
            if (item instanceof Map.Entry<?, ?> e) {
                string(String.valueOf(e.getKey()), out);
                out.append(": ");
                write(e.getValue(), indent, depth + 1, out);
            } else {
                write(item, indent, depth + 1, out);
            }
        }
        if (indent >= 0) out.append('\n').append(" ".repeat(indent * depth));
        out.append(close);
    }

    /** Python's escaping with ensure_ascii=False: quotes, backslash and control characters only. */
    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
