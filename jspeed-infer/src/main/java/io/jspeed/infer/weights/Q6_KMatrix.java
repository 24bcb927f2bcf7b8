package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.PAIRS;
import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 (210 bytes): ql[128] low 4 bits, qh[64] high 2 bits, 16 int8 scales (one per 16
 * elements), fp16 d. Each half of 128 uses 64 bytes of ql and 32 of qh: for l in [0, 32), ql[l] and ql[l+32]
 * give elements l, l+32 (low nibbles) and l+64, l+96 (high nibbles), whose top bits are the four 2-bit fields of
 * qh[l]; value d * scale * (q - 32). With L <= 16 lanes a load never straddles two scales.
 */
final class Q6_KMatrix extends GgmlMatrix {

    private static final int QK = 256;
    private static final int BLOCK_BYTES = 210;
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    Q6_KMatrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.Q6_K, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o + 208);
            // the 16 int8 scales in two reads, extracted in registers
            long scalesLo = data.get(LONG_LE, o + 192);
            long scalesHi = data.get(LONG_LE, o + 200);
            long ql = o;
            long qh = o + 128;
            for (int half = 0; half < 2; half++, ql += 64, qh += 32) {
                long sc = half == 0 ? scalesLo : scalesHi;
                int x0 = xOff + c + half * 128;
                for (int l = 0; l < 32; l += L) {
                    // one body for the four quarters (k = 0..3 -> elements 32k + l): written out four times the
                    // vector code exceeds C2's inlining node budget and the vectors get boxed. The chunk's own
                    // chain (part) overlaps the next chunk's; only one add per chunk waits on acc.
                    FloatVector part = FloatVector.zero(F);
                    for (int k = 0; k < 4; k++) {
                        // bit fields in 16-bit lanes (native shifts) with per-byte masks, bytes again for the subtract
                        ShortVector low = ShortVector.fromMemorySegment(PAIRS, data, ql + l + (k & 1) * 32, LE)
                                .lanewise(VectorOperators.LSHR, (k >> 1) * 4).and((short) 0x0F0F);
                        ShortVector high = ShortVector.fromMemorySegment(PAIRS, data, qh + l, LE)
                                .lanewise(VectorOperators.LSHR, 2 * k).and((short) 0x0303).lanewise(VectorOperators.LSHL, 4);
                        FloatVector w = Lanes.toFloats(low.or(high).reinterpretAsBytes().sub((byte) 32)).mul(d * scale(sc, l / 16 + 2 * k));
                        part = w.fma(FloatVector.fromArray(F, x, x0 + 32 * k + l), part);
                    }
                    acc = acc.add(part);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o + 208);
            long scalesLo = data.get(LONG_LE, o + 192);
            long scalesHi = data.get(LONG_LE, o + 200);
            long ql = o;
            long qh = o + 128;
            for (int half = 0; half < 2; half++, ql += 64, qh += 32) {
                long sc = half == 0 ? scalesLo : scalesHi;
                for (int l = 0; l < 32; l += L) {
                    for (int k = 0; k < 4; k++) {
                        // bit fields in 16-bit lanes (native shifts) with per-byte masks, bytes again for the subtract
                        ShortVector low = ShortVector.fromMemorySegment(PAIRS, data, ql + l + (k & 1) * 32, LE)
                                .lanewise(VectorOperators.LSHR, (k >> 1) * 4).and((short) 0x0F0F);
                        ShortVector high = ShortVector.fromMemorySegment(PAIRS, data, qh + l, LE)
                                .lanewise(VectorOperators.LSHR, 2 * k).and((short) 0x0303).lanewise(VectorOperators.LSHL, 4);
                        Lanes.toFloats(low.or(high).reinterpretAsBytes().sub((byte) 32)).mul(d * scale(sc, l / 16 + 2 * k))
                                .intoArray(dst, off + c + half * 128 + 32 * k + l);
                    }
                }
            }
        }
    }

    /** Signed byte k (0..7) of {@code scales}. */
    private static float scale(long scales, int k) {
        return (byte) (scales >>> (8 * k));
    }
}
