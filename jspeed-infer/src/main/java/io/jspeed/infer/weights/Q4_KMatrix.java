package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.B;
import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K: super-blocks of 256 (144 bytes): fp16 d, fp16 dmin, 12 bytes of eight 6-bit (scale, min) pairs,
 * 128 bytes of nibbles. Each 64 elements use 32 bytes: the low nibbles are sub-block 2i, the high nibbles
 * sub-block 2i+1, value d*sc*q - dmin*m. The eight scale/min pairs are unpacked once per super-block (scalar,
 * 16 values for 256 weights); the nibbles go through the same one-load-two-vectors path as Q4_0.
 */
final class Q4_KMatrix extends RowMatrix {

    private static final int QK = 256;
    private static final int BLOCK_BYTES = 144;

    Q4_KMatrix(int rows, int cols, MemorySegment data) {
        super(rows, cols, data, GgmlType.Q4_K.byteSize(cols));
    }

    @Override
    public String format() {
        return "Q4_K";
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o);
            float dmin = Lanes.f16Scalar(data, o + 2);
            long scales = o + 4;
            long qs = o + 16;
            for (int sub = 0; sub < 8; sub += 2, qs += 32) {
                float d1 = d * GgmlQuant.scaleK4(data, scales, sub);
                float m1 = dmin * GgmlQuant.minK4(data, scales, sub);
                float d2 = d * GgmlQuant.scaleK4(data, scales, sub + 1);
                float m2 = dmin * GgmlQuant.minK4(data, scales, sub + 1);
                int x0 = xOff + c + sub * 32;
                for (int l = 0; l < 32; l += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, qs + l, LE);
                    FloatVector lo = Lanes.toFloats(q.and((byte) 0x0F)).fma(d1, -m1);
                    FloatVector hi = Lanes.toFloats(q.lanewise(VectorOperators.LSHR, 4)).fma(d2, -m2);
                    acc = lo.fma(FloatVector.fromArray(F, x, x0 + l), acc);
                    acc = hi.fma(FloatVector.fromArray(F, x, x0 + 32 + l), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void row(int r, float[] dst, int off) {
        GgmlQuant.dequantize(GgmlType.Q4_K, data, r * rowBytes, dst, off, cols);
    }
}
