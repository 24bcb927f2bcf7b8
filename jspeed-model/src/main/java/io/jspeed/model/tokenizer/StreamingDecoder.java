package io.jspeed.model.tokenizer;

import java.util.Arrays;

/**
 * Decodes generated tokens one at a time for printing. A token may end inside a multi-byte character, so the bytes
 * of a character that could still complete are held back until a later token completes it; the concatenation of
 * every {@link #next} and the final {@link #flush} equals {@link Tokenizer#decode} of all the ids. Not thread-safe.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private byte[] pending = new byte[8];
    private int pendingLength;

    public StreamingDecoder(Tokenizer t) {
        this.tokenizer = t;
    }

    /** The text completed by this token (possibly empty). */
    public String next(int id) {
        byte[] bytes = tokenizer.tokenBytes(id);
        if (pendingLength + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int ready = pendingLength - Utf8.incompleteTail(pending, pendingLength);
        String text = Utf8.decodeLossy(pending, 0, ready);
        System.arraycopy(pending, ready, pending, 0, pendingLength - ready);
        pendingLength -= ready;
        return text;
    }

    /** Whatever is held back, as U+FFFD if it never completed; the decoder is then empty. */
    public String flush() {
        String text = Utf8.decodeLossy(pending, 0, pendingLength);
        pendingLength = 0;
        return text;
    }
}
