package io.jspeed.model.format.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ggml's block formats as plain scalar code: the reference quantizers (quantize_row_q8_0_ref / q4_0_ref) and
 * dequantizers (dequantize_row_*) for the types jspeed computes with. Fast paths live with the weight formats
 * in jspeed-infer; this is the definition they are tested against and the codec the GGUF writer uses.
 *
 * <p>Layouts (little-endian, one block after another):
 * <ul>
 * <li>Q8_0: fp16 d, 32 x int8 q; x = d * q.
 * <li>Q4_0: fp16 d, 16 bytes; element j &lt; 16 is the low nibble of byte j, element 16 + j its high nibble;
 *     x = d * (q - 8).
 * <li>Q4_K (256 per super-block): fp16 d, fp16 dmin, 12 bytes of packed 6-bit scales and mins for 8 sub-blocks
 *     of 32, 128 bytes of nibbles; each 64 elements use 32 bytes, low nibbles the first 32, high the next 32;
 *     x = d * sc * q - dmin * m.
 * <li>Q6_K (256): 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales (one per 16 elements), fp16 d;
 *     x = d * scale * (q - 32).
 * </ul>
 */
public final class GgmlQuant {

    public static final int QK8_0 = 32;
    public static final int QK4_0 = 32;
    public static final int QK_K = 256;

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlQuant() {
    }

    /** quantize_row_q8_0_ref: n (a multiple of 32) floats into n / 32 blocks of 34 bytes at dst[dstOff]. */
    public static void quantizeQ8_0(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        checkBlocks(n, QK8_0);
        for (int b = 0; b < n / QK8_0; b++) {
            int s = srcOff + b * QK8_0;
            int o = dstOff + b * 34;
            float amax = 0;
            for (int j = 0; j < QK8_0; j++) {
                amax = Math.max(amax, Math.abs(src[s + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            putF16(dst, o, d);
            for (int j = 0; j < QK8_0; j++) {
                dst[o + 2 + j] = (byte) roundf(src[s + j] * id);
            }
        }
    }

    /**
     * quantize_row_q4_0_ref: d = max / -8 where max is the element of largest magnitude (with its sign), so that
     * element maps exactly to q = 0 and the rest of the range is [-8, 7] * d.
     */
    public static void quantizeQ4_0(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        checkBlocks(n, QK4_0);
        for (int b = 0; b < n / QK4_0; b++) {
            int s = srcOff + b * QK4_0;
            int o = dstOff + b * 18;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < QK4_0; j++) {
                float v = src[s + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            putF16(dst, o, d);
            for (int j = 0; j < QK4_0 / 2; j++) {
                // C's (int8_t) cast truncates toward zero; x * id + 8.5 lies in [0.5, 16.5]. ggml's result here
                // depends on FMA contraction; computing in double (as gguf-py does) rounds once, like the FMA.
                int q0 = Math.min(15, (int) ((double) src[s + j] * id + 8.5));
                int q1 = Math.min(15, (int) ((double) src[s + QK4_0 / 2 + j] * id + 8.5));
                dst[o + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
    }

    /**
     * Dequantizes n elements (whole blocks) of {@code type} starting at byte {@code srcOff} of {@code src} into
     * dst[dstOff, dstOff + n). Supports F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K.
     */
    public static void dequantize(GgmlType type, MemorySegment src, long srcOff, float[] dst, int dstOff, int n) {
        checkBlocks(n, type.blockSize());
        switch (type) {
            case F32 -> MemorySegment.copy(src, FLOAT_LE, srcOff, dst, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(src.get(SHORT_LE, srcOff + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.intBitsToFloat((src.get(SHORT_LE, srcOff + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < n / QK8_0; b++) {
                    long o = srcOff + 34L * b;
                    float d = f16(src, o);
                    for (int j = 0; j < QK8_0; j++) {
                        dst[dstOff + b * QK8_0 + j] = d * src.get(ValueLayout.JAVA_BYTE, o + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / QK4_0; b++) {
                    long o = srcOff + 18L * b;
                    float d = f16(src, o);
                    int y = dstOff + b * QK4_0;
                    for (int j = 0; j < 16; j++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
                        dst[y + j] = ((q & 0xF) - 8) * d;
                        dst[y + 16 + j] = ((q >>> 4) - 8) * d;
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < n / QK_K; b++) {
                    dequantizeQ4K(src, srcOff + 144L * b, dst, dstOff + b * QK_K);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < n / QK_K; b++) {
                    dequantizeQ6K(src, srcOff + 210L * b, dst, dstOff + b * QK_K);
                }
            }
            default -> throw new IllegalArgumentException("dequantizing " + type
                    + " is not supported; expected F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K");
        }
    }

    /** dequantize_row_q4_K for one super-block at byte o. */
    private static void dequantizeQ4K(MemorySegment src, long o, float[] dst, int y) {
        float d = f16(src, o);
        float dmin = f16(src, o + 2);
        long scales = o + 4;
        long qs = o + 16;
        for (int j = 0, is = 0; j < QK_K; j += 64, is += 2) {
            float d1 = d * scaleK4(src, scales, is);
            float m1 = dmin * minK4(src, scales, is);
            float d2 = d * scaleK4(src, scales, is + 1);
            float m2 = dmin * minK4(src, scales, is + 1);
            for (int l = 0; l < 32; l++) {
                int q = src.get(ValueLayout.JAVA_BYTE, qs + l) & 0xFF;
                dst[y + j + l] = d1 * (q & 0xF) - m1;
                dst[y + j + 32 + l] = d2 * (q >>> 4) - m2;
            }
            qs += 32;
        }
    }

    /** get_scale_min_k4's scale: 8 six-bit scales packed into bytes 0..11 of the scales field. */
    private static int scaleK4(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return u8(src, scales + j) & 63;
        }
        return (u8(src, scales + j + 4) & 0xF) | ((u8(src, scales + j - 4) >>> 6) << 4);
    }

    /** get_scale_min_k4's min. */
    private static int minK4(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return u8(src, scales + j + 4) & 63;
        }
        return (u8(src, scales + j + 4) >>> 4) | ((u8(src, scales + j) >>> 6) << 4);
    }

    /** dequantize_row_q6_K for one super-block at byte o. */
    private static void dequantizeQ6K(MemorySegment src, long o, float[] dst, int y) {
        long ql = o;
        long qh = o + 128;
        long sc = o + 192;
        float d = f16(src, o + 208);
        for (int n = 0; n < QK_K; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int a = u8(src, ql + l);
                int b = u8(src, ql + l + 32);
                int h = u8(src, qh + l);
                int q1 = ((a & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((b & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((b >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                dst[y + n + l] = d * src.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                dst[y + n + l + 32] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                dst[y + n + l + 64] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                dst[y + n + l + 96] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }

    /** C's roundf: halves round away from zero (Math.round would send -2.5 to -2). */
    public static float roundf(float v) {
        return v < 0 ? -(float) Math.floor(-v + 0.5f) : (float) Math.floor(v + 0.5f);
    }

    private static float f16(MemorySegment src, long o) {
        return Float.float16ToFloat(src.get(SHORT_LE, o));
    }

    private static int u8(MemorySegment src, long o) {
        return src.get(ValueLayout.JAVA_BYTE, o) & 0xFF;
    }

    private static void putF16(byte[] dst, int o, float v) {
        short h = Float.floatToFloat16(v);
        dst[o] = (byte) h;
        dst[o + 1] = (byte) (h >>> 8);
    }

    private static void checkBlocks(int n, int block) {
        if (n < 0 || n % block != 0) {
            throw new IllegalArgumentException(n + " elements do not fill whole blocks of " + block);
        }
    }
}
