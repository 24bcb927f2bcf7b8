package io.jspeed.tensor;

/**
 * Where an operand starts: a float array and an offset into it. Kernels that take several operands with
 * independent offsets (a full buffer beside a shard) take these instead of loose (array, offset) pairs.
 */
public record FloatSlice(float[] array, int offset) {

    /** The same array, {@code delta} elements further on. */
    public FloatSlice plus(int delta) {
        return new FloatSlice(array, offset + delta);
    }
}
