package io.jspeed.infer.vocab;

/**
 * GPT-2's byte-to-character map, in which byte-level vocabularies spell their tokens: printable Latin-1 bytes stand
 * for themselves, the other 68 bytes map to U+0100 and up in byte order (a space becomes 'Ġ').
 */
final class ByteLevel {

    static final char[] CHARS = new char[256];

    static {
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            CHARS[b] = printable ? (char) b : (char) (256 + shifted++);
        }
    }

    private ByteLevel() {}
}
