package io.jspeed.train.zero;

import java.io.IOException;

/**
 * Where a block's starting values come from (fresh initialisation or a checkpoint), one block at a time, so a
 * partitioned rank never holds more than one full block while it builds its shards.
 */
@FunctionalInterface
public interface InitialValues {

    /** Writes the full values of block {@code blockIndex} into dst (laid out as the block, length >= its size). */
    void fill(int blockIndex, float[] dst) throws IOException;
}
