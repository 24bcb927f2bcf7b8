package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.B;
import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Symmetric grouped int4: each group of {@code group} weights of a row is group/2 bytes; byte j holds element j
 * of the group in its low nibble and element group/2 + j in its high nibble (Q4_0's order, so one load feeds two
 * float vectors), value (nibble - 8) * scale. Layout in docs/formats.md.
 */
final class GroupwiseInt4 extends GroupwiseMatrix {

    GroupwiseInt4(int rows, int cols, MemorySegment packed, GroupScales scales) {
        super(rows, cols, packed, 4, scales);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        int row = (int) (o / rowBytes);
        int group = scales.group();
        int half = group / 2;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0, c = 0; c < cols; g++, c += group) {
            FloatVector block = FloatVector.zero(F);
            long at = o + c / 2;
            for (int j = 0; j < half; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + j, LE);
                FloatVector lo = Lanes.toFloats(q.and((byte) 0x0F).sub((byte) 8));
                FloatVector hi = Lanes.toFloats(Lanes.highNibbles(q).sub((byte) 8));
                block = lo.fma(FloatVector.fromArray(F, x, xOff + c + j), block);
                block = hi.fma(FloatVector.fromArray(F, x, xOff + c + half + j), block);
            }
            acc = block.fma(FloatVector.broadcast(F, scales.get(row, g)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        int row = (int) (o / rowBytes);
        int group = scales.group();
        int half = group / 2;
        for (int g = 0, c = 0; c < cols; g++, c += group) {
            float s = scales.get(row, g);
            long at = o + c / 2;
            for (int j = 0; j < half; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, at + j, LE);
                Lanes.toFloats(q.and((byte) 0x0F).sub((byte) 8)).mul(s).intoArray(dst, off + c + j);
                Lanes.toFloats(Lanes.highNibbles(q).sub((byte) 8)).mul(s).intoArray(dst, off + c + half + j);
            }
        }
    }

    @Override
    public void row(int r, float[] dst, int off) {
        int group = scales.group();
        int half = group / 2;
        for (int c = 0; c < cols; c += group) {
            float s = scales.get(r, c / group);
            long at = r * rowBytes + c / 2;
            for (int j = 0; j < half; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, at + j) & 0xFF;
                dst[off + c + j] = ((q & 0xF) - 8) * s;
                dst[off + c + half + j] = ((q >>> 4) - 8) * s;
            }
        }
    }
}
