package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A Hugging Face tokenizer.json with a BPE model, encoded as the tokenizers library does: added tokens are cut out
 * of the raw text first, each stretch between them is normalized, pre-tokenized and given to the BPE model, and the
 * post-processor adds special tokens (BOS) when asked. Covers SentencePiece-style files (Llama 2, Gemma: Prepend /
 * Replace normalizers, byte fallback) and byte-level ones (Llama 3, Qwen: Split regex + ByteLevel). A component this
 * class does not implement is refused by name rather than encoded differently. Immutable and thread-safe.
 */
public final class HfTokenizer implements Tokenizer {

    /** tokenizer.json files of real models are tens of MB; refuse absurd sizes before reading them into memory. */
    private static final long MAX_JSON_BYTES = 1L << 30;

    private final AddedTokens added;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final TokenDecoder decoder;
    private final String[] idToToken;
    private final boolean[] special;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final byte[] json;

    private HfTokenizer(JsonNode root, byte[] json, String source) {
        JsonNode modelNode = TokenizerJson.required(root, "model", source);
        String type = TokenizerJson.requiredText(root, "model.type", source);
        if (!type.equals("BPE")) {
            throw new IllegalArgumentException(source + ": unsupported model.type \"" + type + "\", expected \"BPE\"");
        }
        this.json = json;
        model = BpeModel.fromJson(modelNode, source);
        added = AddedTokens.fromJson(root.get("added_tokens"), source);
        normalizer = Normalizer.fromJson(root.get("normalizer"), "normalizer", source);
        preTokenizer = PreTokenizer.fromJson(root.get("pre_tokenizer"), "pre_tokenizer", source);
        postProcessor = PostProcessor.fromJson(root.get("post_processor"), "post_processor", source);
        decoder = TokenDecoder.fromJson(root.get("decoder"), source);

        int size = model.vocabSize();
        for (AddedTokens.Token t : added.tokens()) size = Math.max(size, t.id() + 1);
        idToToken = new String[size];
        special = new boolean[size];
        model.vocab().forEach((token, id) -> idToToken[id] = token);
        for (AddedTokens.Token t : added.tokens()) {
            idToToken[t.id()] = t.content();
            special[t.id()] = t.special();
            addedIds.put(t.content(), t.id());
        }
        for (int id = 0; id < size; id++) {
            if (idToToken[id] == null) {
                throw new IllegalArgumentException(source + ": no token has id " + id
                        + " (ids must run 0.." + (size - 1) + " over model.vocab and added_tokens)");
            }
        }
    }

    /** Reads a tokenizer.json string; {@code source} names it in errors. */
    public static HfTokenizer fromJson(String tokenizerJson, String source) {
        return fromJson(tokenizerJson.getBytes(StandardCharsets.UTF_8), source);
    }

    /** Reads a tokenizer.json from its UTF-8 bytes. */
    public static HfTokenizer fromJson(byte[] tokenizerJson, String source) {
        return new HfTokenizer(TokenizerJson.parse(tokenizerJson, source), tokenizerJson, source);
    }

    /**
     * Reads {@code path}: a tokenizer.json (or tokenizer.json.gz) file, or a folder holding one.
     */
    public static HfTokenizer load(Path path) throws IOException {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = path.resolve("tokenizer.json");
            if (!Files.exists(file) && Files.exists(path.resolve("tokenizer.json.gz"))) {
                file = path.resolve("tokenizer.json.gz");
            }
        }
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such tokenizer.json file");
        long size = Files.size(file);
        if (size > MAX_JSON_BYTES) {
            throw new IOException(file + ": " + size + " bytes, more than a tokenizer.json can sensibly be");
        }
        byte[] bytes;
        if (file.getFileName().toString().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                bytes = in.readNBytes((int) MAX_JSON_BYTES);
            }
        } else {
            bytes = Files.readAllBytes(file);
        }
        return fromJson(bytes, file.toString());
    }

    @Override
    public int vocabSize() {
        return idToToken.length;
    }

    /** Encodes with the special tokens the post-processor adds (Hugging Face's add_special_tokens=true). */
    @Override
    public int[] encode(String text) {
        return encode(text, true);
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        IdList ids = new IdList();
        List<String> pieces = new ArrayList<>();
        boolean atTextStart = true;
        for (AddedTokens.Segment raw : added.splitRaw(text)) {
            if (raw.id() >= 0) {
                ids.add(raw.id());
            } else {
                for (AddedTokens.Segment seg : added.splitNormalized(normalizer.normalize(raw.text()))) {
                    if (seg.id() >= 0) {
                        ids.add(seg.id());
                        atTextStart = false;
                        continue;
                    }
                    pieces.clear();
                    preTokenizer.split(seg.text(), atTextStart, pieces);
                    for (String piece : pieces) if (!piece.isEmpty()) ids.addAll(model.tokenize(piece));
                    atTextStart = false;
                }
            }
            atTextStart = false;
        }
        int[] out = ids.toArray();
        return addSpecialTokens ? postProcessor.addSpecialTokens(out) : out;
    }

    @Override
    public byte[] tokenBytes(int id) {
        return decoder.tokenBytes(token(id));
    }

    /** Decodes with special tokens kept, as Hugging Face's decode(ids, skip_special_tokens=false). */
    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            if (!(skipSpecialTokens && special[ids[i]])) tokens.add(idToToken[ids[i]]);
        }
        return decoder.decode(tokens);
    }

    /** The token string of {@code id} as the file spells it (e.g. "Ġthe", "▁the", "<0x0A>", "<|im_end|>"). */
    public String token(int id) {
        checkId(id, -1);
        return idToToken[id];
    }

    /** The id of a token spelled as in the file, or -1. */
    public int tokenId(String token) {
        Integer id = addedIds.get(token);
        return id != null ? id : model.vocab().getOrDefault(token, -1);
    }

    public boolean isSpecial(int id) {
        checkId(id, -1);
        return special[id];
    }

    /** The tokenizer.json this was read from; {@link #fromJson} reads it back. */
    @Override
    public String toJson() {
        return new String(json, StandardCharsets.UTF_8);
    }

    private void checkId(int id, int position) {
        if (id < 0 || id >= idToToken.length) {
            throw new IllegalArgumentException("token id " + id + (position >= 0 ? " at position " + position : "")
                    + " outside [0, " + idToToken.length + ")");
        }
    }

    /** A growable int array: encode appends thousands of ids without boxing. */
    private static final class IdList {
        private int[] items = new int[64];
        private int size;

        void add(int id) {
            if (size == items.length) items = Arrays.copyOf(items, size * 2);
            items[size++] = id;
        }

        void addAll(int[] ids) {
            if (size + ids.length > items.length) items = Arrays.copyOf(items, Math.max(size * 2, size + ids.length));
            System.arraycopy(ids, 0, items, size, ids.length);
            size += ids.length;
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
