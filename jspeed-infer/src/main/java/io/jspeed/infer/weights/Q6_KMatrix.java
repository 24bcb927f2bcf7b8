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
 * ggml Q6_K: super-blocks of 256 (210 bytes): ql[128] low 4 bits, qh[64] high 2 bits, 16 int8 scales (one per 16
 * elements), fp16 d. Each half of 128 uses 64 bytes of ql and 32 of qh: for l in [0, 32), ql[l] and ql[l+32]
 * give elements l, l+32 (low nibbles) and l+64, l+96 (high nibbles), whose top bits are the four 2-bit fields of
 * qh[l]; value d * scale * (q - 32). With L <= 16 lanes a load never straddles two scales.
 */
final class Q6_KMatrix extends RowMatrix {

    private static final int QK = 256;
    private static final int BLOCK_BYTES = 210;

    Q6_KMatrix(int rows, int cols, MemorySegment data) {
        super(rows, cols, data, GgmlType.Q6_K.byteSize(cols));
    }

    @Override
    public String format() {
        return "Q6_K";
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o + 208);
            long ql = o;
            long qh = o + 128;
            long sc = o + 192;
            for (int half = 0; half < QK; half += 128, ql += 64, qh += 32, sc += 8) {
                int x0 = xOff + c + half;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    ByteVector a = ByteVector.fromMemorySegment(B, data, ql + l, LE);
                    ByteVector b = ByteVector.fromMemorySegment(B, data, ql + l + 32, LE);
                    ByteVector h = ByteVector.fromMemorySegment(B, data, qh + l, LE);
                    ByteVector q1 = a.and((byte) 0x0F).or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    ByteVector q2 = b.and((byte) 0x0F).or(h.and((byte) 0x0C).lanewise(VectorOperators.LSHL, 2)).sub((byte) 32);
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(h.and((byte) 0x30)).sub((byte) 32);
                    ByteVector q4 = b.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).sub((byte) 32);
                    acc = Lanes.toFloats(q1).mul(d * scale(sc + is)).fma(FloatVector.fromArray(F, x, x0 + l), acc);
                    acc = Lanes.toFloats(q2).mul(d * scale(sc + is + 2)).fma(FloatVector.fromArray(F, x, x0 + l + 32), acc);
                    acc = Lanes.toFloats(q3).mul(d * scale(sc + is + 4)).fma(FloatVector.fromArray(F, x, x0 + l + 64), acc);
                    acc = Lanes.toFloats(q4).mul(d * scale(sc + is + 6)).fma(FloatVector.fromArray(F, x, x0 + l + 96), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private float scale(long at) {
        return data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
    }

    @Override
    public void row(int r, float[] dst, int off) {
        GgmlQuant.dequantize(GgmlType.Q6_K, data, r * rowBytes, dst, off, cols);
    }
}
