package io.jspeed.model.param;

import java.util.Arrays;

/**
 * A named tensor inside a block's flat buffer: where it starts, its shape, whether AdamW decays it (matrices and
 * embeddings do; biases and norm weights do not) and how a fresh model initialises it.
 */
public record ParamView(String name, int offset, int[] shape, boolean decay, Init init) {

    /** Initial values: zeros (biases), ones (norm weights), or random normal (matrices, embeddings). */
    public enum Init { ZEROS, ONES, RANDOM }

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
