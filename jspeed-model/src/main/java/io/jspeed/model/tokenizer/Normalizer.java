package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Hugging Face normalizer: rewrites a stretch of text (between added tokens) before it is pre-tokenized. Only
 * whole-string rewrites are needed here because this tokenizer reports ids, not offsets into the original text.
 */
@FunctionalInterface
interface Normalizer {

    Normalizer IDENTITY = s -> s;

    String normalize(String text);

    /** Builds the normalizer {@code node} describes ({@code key} is its dotted path, for errors). */
    static Normalizer fromJson(JsonNode node, String key, String source) {
        if (node == null || node.isNull()) return IDENTITY;
        String type = HfJson.type(node, key, source);
        return switch (type) {
            case "Sequence" -> {
                List<Normalizer> steps = new ArrayList<>();
                JsonNode list = HfJson.array(node, "normalizers", key, source);
                for (int i = 0; i < list.size(); i++) {
                    steps.add(fromJson(list.get(i), key + ".normalizers[" + i + "]", source));
                }
                yield text -> {
                    for (Normalizer n : steps) text = n.normalize(text);
                    return text;
                };
            }
            // Hugging Face prepends only to non-empty text, so an empty stretch stays empty.
            case "Prepend" -> {
                String prefix = HfJson.text(node, "prepend", key, source);
                yield text -> text.isEmpty() ? text : prefix + text;
            }
            case "Replace" -> {
                StringPattern pattern = StringPattern.fromJson(node.get("pattern"), key + ".pattern", source);
                String content = HfJson.text(node, "content", key, source);
                yield text -> pattern.replaceAll(text, content);
            }
            case "NFC" -> text -> java.text.Normalizer.normalize(text, Form.NFC);
            case "NFD" -> text -> java.text.Normalizer.normalize(text, Form.NFD);
            case "NFKC" -> text -> java.text.Normalizer.normalize(text, Form.NFKC);
            case "NFKD" -> text -> java.text.Normalizer.normalize(text, Form.NFKD);
            case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
            default -> throw HfJson.unsupported(key, type, source);
        };
    }
}
