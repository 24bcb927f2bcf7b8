package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer.json post_processor, for a single sequence: what special tokens (BOS, say) surround the ids when they
 * are asked for. TemplateProcessing's "single" template is followed; ByteLevel only trims offsets, so changes no ids.
 */
@FunctionalInterface
interface PostProcessor {

    PostProcessor NONE = ids -> ids;

    int[] addSpecialTokens(int[] ids);

    static PostProcessor fromJson(JsonNode node, String key, String source) {
        if (node == null || node.isNull()) return NONE;
        String type = HfJson.type(node, key, source);
        return switch (type) {
            case "ByteLevel" -> NONE;
            case "Sequence" -> {
                JsonNode list = HfJson.array(node, "processors", key, source);
                List<PostProcessor> steps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    steps.add(fromJson(list.get(i), key + ".processors[" + i + "]", source));
                }
                yield ids -> {
                    for (PostProcessor p : steps) ids = p.addSpecialTokens(ids);
                    return ids;
                };
            }
            case "TemplateProcessing" -> template(node, key, source);
            default -> throw HfJson.unsupported(key, type, source);
        };
    }

    private static PostProcessor template(JsonNode node, String key, String source) {
        Map<String, int[]> specials = new HashMap<>();
        JsonNode map = node.path("special_tokens");
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode ids = e.getValue().path("ids");
            int[] values = new int[ids.size()];
            for (int i = 0; i < values.length; i++) values[i] = ids.get(i).asInt();
            specials.put(e.getKey(), values);
        }
        JsonNode single = HfJson.array(node, "single", key, source);
        // Each piece is a fixed run of special ids, or null for the sequence itself.
        List<int[]> pieces = new ArrayList<>();
        for (int i = 0; i < single.size(); i++) {
            JsonNode piece = single.get(i);
            if (piece.has("Sequence")) {
                pieces.add(null);
            } else if (piece.has("SpecialToken")) {
                String id = piece.get("SpecialToken").path("id").asText();
                int[] ids = specials.get(id);
                if (ids == null) {
                    throw new IllegalArgumentException(source + ": " + key + ".single[" + i + "] names \"" + id
                            + "\", which is not in " + key + ".special_tokens");
                }
                pieces.add(ids);
            } else {
                throw new IllegalArgumentException(source + ": " + key + ".single[" + i + "] = " + piece
                        + ", expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
            }
        }
        return ids -> {
            int n = 0;
            for (int[] p : pieces) n += p == null ? ids.length : p.length;
            int[] out = new int[n];
            int at = 0;
            for (int[] p : pieces) {
                int[] src = p == null ? ids : p;
                System.arraycopy(src, 0, out, at, src.length);
                at += src.length;
            }
            return out;
        };
    }
}
