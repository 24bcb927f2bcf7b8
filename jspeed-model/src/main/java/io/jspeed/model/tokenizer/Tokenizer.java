package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns text into token ids and back. Every implementation is immutable and safe to call from several threads.
 */
public interface Tokenizer {

    int vocabSize();

    int[] encode(String text);

    /** The raw UTF-8 bytes that token {@code id} stands for (possibly a fragment of one character). */
    byte[] tokenBytes(int id);

    /** Concatenates the tokens' bytes and decodes them as UTF-8; malformed sequences become U+FFFD. */
    String decode(int[] ids);

    /** A self-describing JSON form that {@link #fromJson} reads back. */
    String toJson();

    /** Reads any form a tokenizer's {@link #toJson} writes, choosing the implementation by {@code model.type}. */
    static Tokenizer fromJson(String json, String sourceName) {
        JsonNode root = TokenizerJson.parse(json, sourceName);
        String type = TokenizerJson.requiredText(root, "model.type", sourceName);
        return switch (type) {
            case "BPE" -> BpeJson.read(root, sourceName);
            case ByteTokenizer.MODEL_TYPE -> ByteTokenizer.INSTANCE;
            default -> throw new IllegalArgumentException(sourceName + ": unsupported model.type \"" + type
                    + "\", expected \"BPE\" or \"" + ByteTokenizer.MODEL_TYPE + "\"");
        };
    }
}
