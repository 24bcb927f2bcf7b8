package io.jspeed.infer.model;

/**
 * Token ids generation needs besides the vocabulary: the beginning-of-sequence id put before a prompt (when
 * {@code addBos}; -1 = none) and the ids that end a sequence.
 */
public record SpecialTokens(int bos, int[] eos, boolean addBos) {

    public static final SpecialTokens NONE = new SpecialTokens(-1, new int[0], false);

    /** The prompt as the model expects it: BOS first when the model wants one. */
    public int[] prompt(int[] encoded) {
        if (!addBos || bos < 0 || (encoded.length > 0 && encoded[0] == bos)) return encoded;
        int[] out = new int[encoded.length + 1];
        out[0] = bos;
        System.arraycopy(encoded, 0, out, 1, encoded.length);
        return out;
    }
}
