package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.B;
import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 with an fp16 scale and 16 bytes of nibbles (18 bytes); byte j holds element j in its
 * low nibble and element 16 + j in its high nibble, value (q - 8) * d. One load of L bytes therefore feeds two
 * float vectors, x[j..j+L) and x[16+j..16+j+L), without any lane shuffling.
 */
final class Q4_0Matrix extends GgmlMatrix {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 18;
    private static final int HALF = 16;

    Q4_0Matrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.Q4_0, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += BLOCK, o += BLOCK_BYTES) {
            FloatVector block = FloatVector.zero(F);
            for (int j = 0; j < HALF; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, o + 2 + j, LE);
                FloatVector lo = Lanes.toFloats(q.and((byte) 0x0F).sub((byte) 8));
                FloatVector hi = Lanes.toFloats(Lanes.highNibbles(q).sub((byte) 8));
                block = lo.fma(FloatVector.fromArray(F, x, xOff + c + j), block);
                block = hi.fma(FloatVector.fromArray(F, x, xOff + c + HALF + j), block);
            }
            acc = block.fma(FloatVector.broadcast(F, Lanes.f16Scalar(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        for (int c = 0; c < cols; c += BLOCK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o);
            for (int j = 0; j < HALF; j += L) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, o + 2 + j, LE);
                Lanes.toFloats(q.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(dst, off + c + j);
                Lanes.toFloats(Lanes.highNibbles(q).sub((byte) 8)).mul(d).intoArray(dst, off + c + HALF + j);
            }
        }
    }
}
