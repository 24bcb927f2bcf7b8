package io.jspeed.model.tokenizer;

import java.nio.charset.StandardCharsets;

/** The trivial tokenizer: 256 ids, one per byte of the UTF-8 encoding. */
public final class ByteTokenizer implements Tokenizer {

    static final String MODEL_TYPE = "bytes";
    static final ByteTokenizer INSTANCE = new ByteTokenizer();

    private static final byte[][] SINGLE_BYTES = new byte[256][];

    static {
        for (int b = 0; b < 256; b++) SINGLE_BYTES[b] = new byte[] {(byte) b};
    }

    public ByteTokenizer() {}

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
        return ids;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= 256) throw new IllegalArgumentException("byte token id " + id + " outside [0, 256)");
        return SINGLE_BYTES[id].clone();
    }

    @Override
    public String decode(int[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= 256) {
                throw new IllegalArgumentException(
                        "byte token id " + ids[i] + " at position " + i + " outside [0, 256)");
            }
            bytes[i] = (byte) ids[i];
        }
        return Utf8.decodeLossy(bytes);
    }

    @Override
    public String toJson() {
        return "{\"model\":{\"type\":\"" + MODEL_TYPE + "\"}}";
    }
}
