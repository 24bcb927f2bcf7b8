package io.jspeed.infer.gguf;

import io.jspeed.model.tokenizer.Tokenizer;

import static io.jspeed.infer.vocab.Vocabulary.BYTE;
import static io.jspeed.infer.vocab.Vocabulary.CONTROL;
import static io.jspeed.infer.vocab.Vocabulary.UNKNOWN;
import static io.jspeed.infer.vocab.Vocabulary.UNUSED;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE as GGUF files carry it (tokenizer.ggml.model = "llama"): pieces with scores, spaces written as
 * U+2581, a space prefixed to the text, and byte tokens {@code <0xXX>} for characters no piece covers. Encoding is
 * llama.cpp's: start from single characters and repeatedly merge the adjacent pair whose concatenation is the
 * highest-scoring piece (leftmost first on ties). The BOS token is not added here (the model decides that).
 */
public final class SentencePieceBpe implements Tokenizer {

    private static final String SPACE = "\u2581";

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids = new HashMap<>();
    private final int[] byteTokens = new int[256];
    private final byte[][] bytes;
    private final int unknown;
    private final boolean addSpacePrefix;

    public SentencePieceBpe(String[] pieces, float[] scores, int[] types, int unknown, boolean addSpacePrefix) {
        if (scores.length != pieces.length || types.length != pieces.length)
            throw new IllegalArgumentException("tokenizer: " + pieces.length + " tokens but " + scores.length + " scores and "
                    + types.length + " token types; expected one of each per token");
        this.pieces = pieces;
        this.scores = scores;
        this.types = types;
        this.unknown = unknown;
        this.addSpacePrefix = addSpacePrefix;
        Arrays.fill(byteTokens, -1);
        bytes = new byte[pieces.length][];
        for (int id = 0; id < pieces.length; id++) {
            ids.putIfAbsent(pieces[id], id);
            bytes[id] = switch (types[id]) {
                case BYTE -> {
                    int b = Integer.parseInt(pieces[id].substring(3, 5), 16);
                    byteTokens[b] = id;
                    yield new byte[] {(byte) b};
                }
                case CONTROL, UNUSED -> new byte[0];
                case UNKNOWN -> " \u2047 ".getBytes(StandardCharsets.UTF_8);
                default -> pieces[id].replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            };
        }
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) return new int[0];
        String s = (addSpacePrefix ? " " + text : text).replace(" ", SPACE);
        // symbols: code points, as a doubly linked list so merges splice in O(1)
        int n = s.codePointCount(0, s.length());
        int[] start = new int[n], end = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            at = s.offsetByCodePoints(at, 1);
            end[i] = at;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // candidate merges: best score first, then leftmost; stale entries (a side already merged away) are skipped
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) offer(queue, s, start, end, i, i + 1);
        while (!queue.isEmpty()) {
            var bg = queue.poll();
            int l = bg.left, r = bg.right;
            if (end[l] == start[l] || end[r] == start[r] || next[l] != r || (end[l] - start[l]) + (end[r] - start[r]) != bg.length) continue;
            end[l] = end[r];
            start[r] = end[r]; // r is now empty
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            if (prev[l] >= 0) offer(queue, s, start, end, prev[l], l);
            if (next[l] >= 0) offer(queue, s, start, end, l, next[l]);
        }
        int[] out = new int[s.length() * 4];
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            Integer id = ids.get(s.substring(start[i], end[i]));
            if (id != null) {
                out[count++] = id;
                continue;
            }
            for (byte b : s.substring(start[i], end[i]).getBytes(StandardCharsets.UTF_8)) {
                int t = byteTokens[b & 0xff];
                out[count++] = t >= 0 ? t : unknown;
            }
        }
        return Arrays.copyOf(out, count);
    }

    private record Bigram(int left, int right, float score, int length) {}

    private void offer(PriorityQueue<Bigram> queue, String s, int[] start, int[] end, int l, int r) {
        Integer id = ids.get(s.substring(start[l], end[r]));
        if (id != null) queue.add(new Bigram(l, r, scores[id], end[r] - start[l]));
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= bytes.length) throw new IllegalArgumentException("token id " + id + " outside [0, " + bytes.length + ")");
        return bytes[id];
    }

    @Override
    public String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(tokenBytes(id));
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public String toJson() {
        throw new UnsupportedOperationException("a GGUF SentencePiece vocabulary has no tokenizer.json form; it lives in the GGUF file");
    }
}
