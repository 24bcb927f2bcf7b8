package io.jspeed.infer.model;

import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.tensor.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** fp32 matrices the loader builds itself, copied off-heap (the vector loads of the formats read native segments). */
public final class OffHeap {

    private OffHeap() {}

    public static WeightMatrix f32(int rows, int cols, float[] data) {
        MemorySegment seg = Arena.ofAuto().allocate(4L * data.length, 64);
        MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0, data.length);
        return WeightFormats.of(DType.F32, rows, cols, seg);
    }
}
