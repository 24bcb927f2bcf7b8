package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hugging Face's BPE model over vocabulary strings: a pre-token starts as one symbol per character (a character
 * missing from the vocabulary becomes its UTF-8 bytes as {@code <0xXX>} tokens under byte_fallback, else the unknown
 * token), then {@link MergeTable} joins them. Byte-level files need no special case: their pre-tokenizer already
 * spelled every byte as a vocabulary character. Thread-safe; words are cached.
 */
final class BpeModel {

    private static final int CACHE_LIMIT = 1 << 18;
    /** Files without a pre-tokenizer (Llama 2) hand whole paragraphs to the model; caching those only costs memory. */
    private static final int CACHED_WORD_LIMIT = 256;

    private final Map<String, Integer> vocab;
    private final int[] bmpIds; // id of each single-character token in the Basic Multilingual Plane, or -1
    private final Map<Integer, Integer> supplementaryIds = new HashMap<>();
    private final int[] byteIds; // <0xXX> tokens, or null without byte_fallback
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    private final MergeTable merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    private BpeModel(Map<String, Integer> vocab, MergeTable merges, int[] byteIds, int unkId, boolean fuseUnk,
                     boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.byteIds = byteIds;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        bmpIds = new int[0x10000];
        Arrays.fill(bmpIds, -1);
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String token = e.getKey();
            if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) continue;
            int cp = token.codePointAt(0);
            if (cp < 0x10000) bmpIds[cp] = e.getValue();
            else supplementaryIds.put(cp, e.getValue());
        }
    }

    static BpeModel fromJson(JsonNode model, String source) {
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode v = model.get(affix);
            if (v != null && !v.isNull() && !v.asText().isEmpty()) {
                throw new IllegalArgumentException(source + ": unsupported model." + affix + " = " + v);
            }
        }
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0) {
            throw new IllegalArgumentException(source + ": unsupported model.dropout = " + dropout
                    + " (encoding would be random)");
        }
        Map<String, Integer> vocab = BpeJson.readVocab(TokenizerJson.required(model, "vocab", source), source);
        List<int[]> pairs = BpeJson.readMerges(TokenizerJson.required(model, "merges", source), vocab, source);
        String[] tokens = new String[vocab.size()];
        vocab.forEach((token, id) -> tokens[id] = token);
        int[] left = new int[pairs.size()], right = new int[pairs.size()], result = new int[pairs.size()];
        for (int rank = 0; rank < pairs.size(); rank++) {
            left[rank] = pairs.get(rank)[0];
            right[rank] = pairs.get(rank)[1];
            String joined = tokens[left[rank]] + tokens[right[rank]];
            Integer id = vocab.get(joined);
            if (id == null) {
                throw new IllegalArgumentException(source + ": model.merges[" + rank + "] makes \"" + joined
                        + "\", which is not in model.vocab");
            }
            result[rank] = id;
        }
        int unkId = -1;
        JsonNode unk = model.get("unk_token");
        if (unk != null && !unk.isNull()) {
            Integer id = vocab.get(unk.asText());
            if (id == null) {
                throw new IllegalArgumentException(source + ": model.unk_token \"" + unk.asText()
                        + "\" is not in model.vocab");
            }
            unkId = id;
        }
        int[] byteIds = null;
        if (HfJson.bool(model, "byte_fallback", false)) {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(byteToken(b), -1);
        }
        return new BpeModel(vocab, new MergeTable(left, right, result), byteIds, unkId,
                HfJson.bool(model, "fuse_unk", false), HfJson.bool(model, "ignore_merges", false));
    }

    /** SentencePiece's spelling of a raw byte, e.g. {@code <0x0A>}. */
    static String byteToken(int b) {
        return String.format("<0x%02X>", b);
    }

    int vocabSize() {
        return vocab.size();
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    int[] tokenize(String word) {
        int[] cached = cache.get(word);
        if (cached != null) return cached;
        int[] ids = merge(word);
        if (word.length() > CACHED_WORD_LIMIT) return ids;
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(word, ids);
        return ids;
    }

    private int[] merge(String word) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) return new int[] {whole};
        }
        int[] symbols = new int[word.length() * 4];
        int n = 0;
        boolean lastWasUnk = false;
        int written;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int width = Character.charCount(cp);
            int id = cp < 0x10000 ? bmpIds[cp] : supplementaryIds.getOrDefault(cp, -1);
            if (id >= 0) {
                symbols[n++] = id;
                lastWasUnk = false;
            } else if (byteIds != null && (written = fallBackToBytes(word, i, width, symbols, n)) > 0) {
                n += written;
                lastWasUnk = false;
            } else if (unkId >= 0) {
                if (!(fuseUnk && lastWasUnk)) symbols[n++] = unkId;
                lastWasUnk = true;
            } // with neither, Hugging Face drops the character
            i += width;
        }
        return Arrays.copyOf(symbols, merges.apply(symbols, n));
    }

    /** Writes the byte tokens of the character at {@code word[i, i+width)}; 0 (writing nothing) if one is missing. */
    private int fallBackToBytes(String word, int i, int width, int[] symbols, int at) {
        byte[] bytes = word.substring(i, i + width).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) if (byteIds[b & 0xFF] < 0) return 0;
        for (int k = 0; k < bytes.length; k++) symbols[at + k] = byteIds[bytes[k] & 0xFF];
        return bytes.length;
    }
}
