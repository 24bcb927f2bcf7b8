package io.jspeed.model.tokenizer;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** Looks a token's id up by its bytes (ByteBuffer gives byte arrays value equality). */
final class ByteKeyIndex {

    private final Map<ByteBuffer, Integer> ids = new HashMap<>();

    ByteKeyIndex(byte[][] tokens) {
        for (int id = 0; id < tokens.length; id++) ids.putIfAbsent(ByteBuffer.wrap(tokens[id]), id);
    }

    ByteKeyIndex() {}

    int idOf(byte[] bytes) {
        Integer id = ids.get(ByteBuffer.wrap(bytes));
        return id == null ? -1 : id;
    }

    void put(byte[] bytes, int id) {
        ids.put(ByteBuffer.wrap(bytes), id);
    }
}
