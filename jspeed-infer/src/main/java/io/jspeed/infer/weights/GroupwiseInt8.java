package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Symmetric grouped int8 (ZeroQuant style): int8 weights [rows, cols], one scale per {@code group} consecutive
 * weights of a row; value q * scale. The layout is in docs/formats.md; the dot product is Q8_0's with the scale
 * read from the separate scales tensor.
 */
final class GroupwiseInt8 extends GroupwiseMatrix {

    GroupwiseInt8(int rows, int cols, MemorySegment weights, GroupScales scales) {
        super(rows, cols, weights, 8, scales);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        int row = (int) (o / rowBytes);
        int group = scales.group();
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0, c = 0; c < cols; g++, c += group) {
            FloatVector block = FloatVector.zero(F);
            for (int j = 0; j < group; j += L) {
                block = Lanes.bytes(data, o + c + j).fma(FloatVector.fromArray(F, x, xOff + c + j), block);
            }
            acc = block.fma(FloatVector.broadcast(F, scales.get(row, g)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        int row = (int) (o / rowBytes);
        int group = scales.group();
        for (int g = 0, c = 0; c < cols; g++, c += group) {
            float s = scales.get(row, g);
            for (int j = 0; j < group; j += L) {
                Lanes.bytes(data, o + c + j).mul(s).intoArray(dst, off + c + j);
            }
        }
    }

    @Override
    public void row(int r, float[] dst, int off) {
        long o = r * rowBytes;
        for (int c = 0; c < cols; c++) {
            dst[off + c] = data.get(ValueLayout.JAVA_BYTE, o + c) * scales.get(r, c / scales.group());
        }
    }
}
