package io.jspeed.model.param;

import java.util.Arrays;

/**
 * A named tensor inside a block's flat buffer: where it starts, its shape, and whether AdamW decays it
 * (matrices and embeddings do; biases and norm weights do not).
 */
public record ParamView(String name, int offset, int[] shape, boolean decay) {

    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public long[] longShape() {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
