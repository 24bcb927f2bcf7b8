package io.jspeed.infer.weights;

import java.lang.foreign.MemorySegment;

/**
 * The grouped symmetric formats (int8, int4): rows of packed weights plus a separate {@link GroupScales} tensor with
 * one scale per {@code group} weights of a row. Subclasses keep their own dot, decodeRow and row.
 */
abstract class GroupwiseMatrix extends RowMatrix {

    final GroupScales scales;
    private final int bits;

    GroupwiseMatrix(int rows, int cols, MemorySegment weights, int bits, GroupScales scales) {
        super(rows, cols, weights, (long) cols * bits / 8);
        GroupScales.check(scales, rows, cols);
        this.scales = scales;
        this.bits = bits;
    }

    /** INT8_G128, INT4_G32, ...: the bits per weight and the group size. */
    @Override
    public final String format() {
        return "INT" + bits + "_G" + scales.group();
    }
}
