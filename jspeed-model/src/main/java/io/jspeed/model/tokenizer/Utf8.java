package io.jspeed.model.tokenizer;

/**
 * Lossy UTF-8 decoding with the Unicode "maximal subpart" rule, which Hugging Face (Rust's from_utf8_lossy) follows:
 * each maximal prefix of a well-formed sequence that breaks off becomes one U+FFFD. The JDK's decoder differs on
 * encoded surrogates (ED A0 80 gives one U+FFFD there, three here), hence this class.
 */
final class Utf8 {

    private Utf8() {}

    static String decodeLossy(byte[] bytes, int offset, int length) {
        char[] out = new char[length]; // never more chars than bytes: a 4-byte sequence becomes 2 chars
        int o = 0;
        int end = offset + length;
        for (int i = offset; i < end; ) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                out[o++] = (char) lead;
                i++;
                continue;
            }
            int needed = continuationCount(lead);
            if (needed < 0) {
                out[o++] = '\uFFFD';
                i++;
                continue;
            }
            int cp = lead & (0x3F >> needed);
            int j = i + 1;
            boolean complete = true;
            for (int k = 0; k < needed; k++, j++) {
                if (j >= end || !validContinuation(lead, k, bytes[j] & 0xFF)) {
                    complete = false;
                    break;
                }
                cp = cp << 6 | (bytes[j] & 0x3F);
            }
            if (complete) {
                o += Character.toChars(cp, out, o);
            } else {
                out[o++] = '\uFFFD'; // the lead and the continuations that fit so far form one maximal subpart
            }
            i = j;
        }
        return new String(out, 0, o);
    }

    static String decodeLossy(byte[] bytes) {
        return decodeLossy(bytes, 0, bytes.length);
    }

    /**
     * How many trailing bytes form a proper prefix of a well-formed sequence (0 to 3): those could still complete.
     * Anything else, even malformed, decodes the same whatever bytes follow.
     */
    static int incompleteTail(byte[] bytes, int length) {
        for (int back = 1; back <= Math.min(3, length); back++) {
            int lead = bytes[length - back] & 0xFF;
            if (lead < 0x80) return 0;
            if (lead < 0xC0) continue; // a continuation byte; keep looking for its lead
            int needed = continuationCount(lead);
            if (needed < 0 || back > needed) return 0; // an invalid lead, or a complete sequence
            for (int k = 0; k < back - 1; k++) {
                if (!validContinuation(lead, k, bytes[length - back + 1 + k] & 0xFF)) return 0;
            }
            return back;
        }
        return 0;
    }

    /** Continuation bytes a lead byte announces, or -1 if it can never start a well-formed sequence. */
    private static int continuationCount(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) return 1;
        if (lead >= 0xE0 && lead <= 0xEF) return 2;
        if (lead >= 0xF0 && lead <= 0xF4) return 3;
        return -1;
    }

    /** The first continuation's range depends on the lead: no overlongs, surrogates, or code points past U+10FFFF. */
    private static boolean validContinuation(int lead, int index, int b) {
        int lo = 0x80, hi = 0xBF;
        if (index == 0) {
            switch (lead) {
                case 0xE0 -> lo = 0xA0;
                case 0xED -> hi = 0x9F;
                case 0xF0 -> lo = 0x90;
                case 0xF4 -> hi = 0x8F;
                default -> { }
            }
        }
        return b >= lo && b <= hi;
    }
}
