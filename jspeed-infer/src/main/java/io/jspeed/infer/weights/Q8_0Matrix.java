package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;

import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q8_0: blocks of 32 int8 with one fp16 scale (34 bytes). The int8 lanes are widened to fp32 and multiplied
 * with x directly, and each block's partial vector is scaled into the accumulator, so there is no per-block
 * horizontal sum. (llama.cpp instead quantizes x to int8 and dots integers; without vpmaddubsw/vpdpbusd from the
 * Vector API the integer path needs as many widening steps as this one, and x stays in L1 either way, while the
 * weight stream, the real cost of decode, is the same 34 bytes per 32 weights.)
 */
final class Q8_0Matrix extends GgmlMatrix {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 34;

    Q8_0Matrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.Q8_0, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += BLOCK, o += BLOCK_BYTES) {
            FloatVector block = Lanes.bytes(data, o + 2).mul(FloatVector.fromArray(F, x, xOff + c));
            for (int j = L; j < BLOCK; j += L) {
                block = Lanes.bytes(data, o + 2 + j).fma(FloatVector.fromArray(F, x, xOff + c + j), block);
            }
            acc = block.fma(FloatVector.broadcast(F, Lanes.f16Scalar(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        for (int c = 0; c < cols; c += BLOCK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o);
            for (int j = 0; j < BLOCK; j += L) {
                Lanes.bytes(data, o + 2 + j).mul(d).intoArray(dst, off + c + j);
            }
        }
    }
}
