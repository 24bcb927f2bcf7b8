package io.jspeed.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as in GPT-2: text is split by the GPT-2 pre-tokenizer, each piece's UTF-8 bytes start as byte
 * tokens, and ranked merges join them. Reads and writes Hugging Face tokenizer.json. Thread-safe: the only mutable
 * state is a concurrent cache from pre-token to its ids. Text with an unpaired surrogate does not round-trip:
 * UTF-8 cannot encode it, so it becomes '?'.
 */
public final class BpeTokenizer implements Tokenizer {

    /** Past this many cached pre-tokens the cache starts over, bounding memory on unbounded input. */
    private static final int CACHE_LIMIT = 1 << 18;

    private final byte[][] tokenBytes;
    private final int[] byteToId;
    private final MergeTable merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param tokenBytes the bytes of every token, indexed by id; every single byte must be one of them
     * @param merges     by rank, the pair {left id, right id}; their concatenation must be a token
     */
    BpeTokenizer(byte[][] tokenBytes, List<int[]> merges, String source) {
        this.tokenBytes = tokenBytes;
        this.byteToId = new int[256];
        Arrays.fill(byteToId, -1);
        ByteKeyIndex index = new ByteKeyIndex(tokenBytes);
        for (int id = 0; id < tokenBytes.length; id++) {
            if (tokenBytes[id].length == 1 && byteToId[tokenBytes[id][0] & 0xFF] < 0) {
                byteToId[tokenBytes[id][0] & 0xFF] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (byteToId[b] < 0) {
                throw new IllegalArgumentException(source + ": model.vocab has no token for byte 0x"
                        + Integer.toHexString(b) + " (\"" + ByteLevelAlphabet.encode(new byte[] {(byte) b})
                        + "\"); byte-level BPE needs all 256");
            }
        }
        int[] left = new int[merges.size()], right = new int[merges.size()], result = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            int a = merges.get(rank)[0], b = merges.get(rank)[1];
            byte[] joined = concat(tokenBytes[a], tokenBytes[b]);
            int id = index.idOf(joined);
            if (id < 0) {
                throw new IllegalArgumentException(source + ": model.merges[" + rank + "] \""
                        + ByteLevelAlphabet.encode(tokenBytes[a]) + " " + ByteLevelAlphabet.encode(tokenBytes[b])
                        + "\" makes \"" + ByteLevelAlphabet.encode(joined) + "\", which is not in model.vocab");
            }
            left[rank] = a;
            right[rank] = b;
            result[rank] = id;
        }
        this.merges = new MergeTable(left, right, result);
    }

    /**
     * Learns a vocabulary of {@code vocabSize} tokens from {@code texts}: ids 0..255 are the bytes, then one token per
     * merge in the order learned. Deterministic: equal counts are broken by the smaller pair of ids.
     */
    public static BpeTokenizer train(List<String> texts, int vocabSize) {
        return BpeTrainer.train(texts, vocabSize);
    }

    /** Reads a Hugging Face tokenizer.json with a byte-level BPE model. */
    public static BpeTokenizer fromJson(String tokenizerJson, String sourceName) {
        return BpeJson.read(TokenizerJson.parse(tokenizerJson, sourceName), sourceName);
    }

    @Override
    public int vocabSize() {
        return tokenBytes.length;
    }

    int mergeCount() {
        return merges.size();
    }

    MergeTable merges() {
        return merges;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[Math.max(16, text.length() / 3)];
        int n = 0;
        for (int start = 0; start < text.length(); ) {
            int end = Gpt2PreTokenizer.tokenEnd(text, start);
            int[] ids = encodePiece(text.substring(start, end));
            if (n + ids.length > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length));
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
            start = end;
        }
        return Arrays.copyOf(out, n);
    }

    private int[] encodePiece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) return cached;
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = byteToId[bytes[i] & 0xFF];
        int[] merged = Arrays.copyOf(ids, merges.apply(ids, ids.length));
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(piece, merged);
        return merged;
    }

    @Override
    public byte[] tokenBytes(int id) {
        checkId(id, -1);
        return tokenBytes[id].clone();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            bytes.writeBytes(tokenBytes[ids[i]]);
        }
        return Utf8.decodeLossy(bytes.toByteArray());
    }

    @Override
    public String toJson() {
        return BpeJson.write(tokenBytes, merges);
    }

    private void checkId(int id, int position) {
        if (id < 0 || id >= tokenBytes.length) {
            throw new IllegalArgumentException("token id " + id + (position >= 0 ? " at position " + position : "")
                    + " outside [0, " + tokenBytes.length + ")");
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
