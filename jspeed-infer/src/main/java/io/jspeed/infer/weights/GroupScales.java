package io.jspeed.infer.weights;

import java.lang.foreign.MemorySegment;

/**
 * The per-group scales of a grouped format: [rows, cols / group] fp32 or fp16 values, row-major, read in place.
 * One scale per group of (typically) 128 weights, so the fp16/fp32 test is one predictable branch per group.
 */
record GroupScales(MemorySegment data, boolean f16, int group, int groupsPerRow) {

    GroupScales {
        if (group <= 0 || group % 32 != 0) {
            throw new IllegalArgumentException("group size " + group + "; expected a positive multiple of 32");
        }
    }

    float get(int row, int g) {
        long i = (long) row * groupsPerRow + g;
        return f16 ? Lanes.f16Scalar(data, 2 * i) : data.get(Lanes.FLOAT_LE, 4 * i);
    }

    long byteSize(int rows) {
        return (long) rows * groupsPerRow * (f16 ? 2 : 4);
    }

    static void check(GroupScales scales, int rows, int cols) {
        if (cols % scales.group() != 0 || cols / scales.group() != scales.groupsPerRow()) {
            throw new IllegalArgumentException(cols + " columns do not split into " + scales.groupsPerRow()
                    + " groups of " + scales.group());
        }
        if (scales.data().byteSize() != scales.byteSize(rows)) {
            throw new IllegalArgumentException("scales hold " + scales.data().byteSize() + " bytes; expected "
                    + scales.byteSize(rows) + " for " + rows + " rows of " + scales.groupsPerRow() + " "
                    + (scales.f16() ? "F16" : "F32") + " scales");
        }
    }
}
