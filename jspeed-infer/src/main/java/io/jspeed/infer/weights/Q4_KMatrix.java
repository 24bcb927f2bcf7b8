package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.B;
import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
final class Q4_KMatrix extends GgmlMatrix {

    private static final int QK = 256;
    private static final int BLOCK_BYTES = 144;
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    Q4_KMatrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.Q4_K, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o);
            float dmin = Lanes.f16Scalar(data, o + 2);
            long scales = scales(o);
            long mins = mins(o);
            long qs = o + 16;
            for (int sub = 0; sub < 8; sub += 2, qs += 32) {
                FloatVector d1 = FloatVector.broadcast(F, d * byteAt(scales, sub));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * byteAt(mins, sub));
                FloatVector d2 = FloatVector.broadcast(F, d * byteAt(scales, sub + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * byteAt(mins, sub + 1));
                int x0 = xOff + c + sub * 32;
                for (int l = 0; l < 32; l += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, qs + l, LE);
                    FloatVector w1 = Lanes.toFloats(q.and((byte) 0x0F)).fma(d1, m1);
                    FloatVector w2 = Lanes.toFloats(Lanes.highNibbles(q)).fma(d2, m2);
                    // a short chain per chunk and one add into acc: chains of consecutive chunks overlap, where
                    // two FMAs per chunk straight into acc would wait on each other's latency
                    FloatVector part = w1.mul(FloatVector.fromArray(F, x, x0 + l));
                    acc = acc.add(w2.fma(FloatVector.fromArray(F, x, x0 + 32 + l), part));
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        for (int c = 0; c < cols; c += QK, o += BLOCK_BYTES) {
            float d = Lanes.f16Scalar(data, o);
            float dmin = Lanes.f16Scalar(data, o + 2);
            long scales = scales(o);
            long mins = mins(o);
            long qs = o + 16;
            for (int sub = 0; sub < 8; sub += 2, qs += 32) {
                FloatVector d1 = FloatVector.broadcast(F, d * byteAt(scales, sub));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * byteAt(mins, sub));
                FloatVector d2 = FloatVector.broadcast(F, d * byteAt(scales, sub + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * byteAt(mins, sub + 1));
                for (int l = 0; l < 32; l += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, qs + l, LE);
                    Lanes.toFloats(q.and((byte) 0x0F)).fma(d1, m1).intoArray(dst, off + c + sub * 32 + l);
                    Lanes.toFloats(Lanes.highNibbles(q)).fma(d2, m2).intoArray(dst, off + c + sub * 32 + 32 + l);
                }
            }
        }
    }

    /*
     * The 12 packed scale bytes of the super-block at o, read in two loads and unpacked in registers with llama.cpp's
     * 32-bit mask trick into 8 six-bit scales (scales) and 8 six-bit mins (mins), one per byte: per-scale segment
     * reads would cost more than the 256 weights they scale.
     */
    private long scales(long o) {
        long packed = data.get(LONG_LE, o + 4);
        int u0 = (int) packed;
        int u2 = data.get(INT_LE, o + 12);
        return (u0 & 0x3F3F3F3FL) | ((long) ((u2 & 0x0F0F0F0F) | (((u0 >>> 6) & 0x03030303) << 4)) << 32);
    }

    private long mins(long o) {
        int u1 = (int) (data.get(LONG_LE, o + 4) >>> 32);
        int u2 = data.get(INT_LE, o + 12);
        return (u1 & 0x3F3F3F3FL) | ((long) (((u2 >>> 4) & 0x0F0F0F0F) | (((u1 >>> 6) & 0x03030303) << 4)) << 32);
    }

    /** Unsigned byte k (0..7) of {@code word}. */
    private static int byteAt(long word, int k) {
        return (int) (word >>> (8 * k)) & 0xFF;
    }
}
