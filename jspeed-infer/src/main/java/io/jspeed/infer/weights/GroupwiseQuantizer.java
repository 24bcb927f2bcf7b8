package io.jspeed.infer.weights;

import io.jspeed.model.format.gguf.GgmlQuant;

/**
 * Symmetric grouped quantization of fp32 rows (ZeroQuant): per group of {@code group} weights, scale = max|w| / qmax
 * with qmax = 127 (int8) or 7 (int4), q = round(w / scale) clamped to [-qmax - 1, qmax]. With fp16 scales the
 * scale is rounded to fp16 first and q computed from the rounded scale, so dequantization sees the scale it was
 * quantized with. Output layouts are those {@link GroupwiseInt8} and {@link GroupwiseInt4} read (docs/formats.md).
 */
public final class GroupwiseQuantizer {

    private final int bits;
    private final int group;
    private final boolean f16Scales;

    /**
     * @param bits 8 or 4
     * @param group weights per scale, a positive multiple of 32
     */
    public GroupwiseQuantizer(int bits, int group, boolean f16Scales) {
        if (bits != 8 && bits != 4) {
            throw new IllegalArgumentException("bits " + bits + "; expected 8 or 4");
        }
        if (group <= 0 || group % 32 != 0) {
            throw new IllegalArgumentException("group size " + group + "; expected a positive multiple of 32");
        }
        this.bits = bits;
        this.group = group;
        this.f16Scales = f16Scales;
    }

    public int bits() {
        return bits;
    }

    public int group() {
        return group;
    }

    public boolean f16Scales() {
        return f16Scales;
    }

    /** Bytes one row of {@code cols} weights takes (cols for int8, cols / 2 for int4). */
    public int rowBytes(int cols) {
        return bits == 8 ? cols : cols / 2;
    }

    /** True when rows of {@code cols} weights split into whole groups. */
    public boolean fits(long cols) {
        return cols % group == 0;
    }

    /**
     * Quantizes one row of {@code cols} weights src[srcOff..] into {@code rowBytes(cols)} bytes at q[qOff] and
     * cols / group scales at scales[scaleOff..] (the value each group dequantizes with).
     */
    public void quantizeRow(float[] src, int srcOff, int cols, byte[] q, int qOff, float[] scales, int scaleOff) {
        if (!fits(cols)) {
            throw new IllegalArgumentException(cols + " columns do not split into groups of " + group);
        }
        int qmax = bits == 8 ? 127 : 7;
        for (int g = 0; g < cols / group; g++) {
            int s = srcOff + g * group;
            float amax = 0;
            for (int j = 0; j < group; j++) {
                amax = Math.max(amax, Math.abs(src[s + j]));
            }
            float scale = amax / qmax;
            if (f16Scales) {
                scale = Float.float16ToFloat(Float.floatToFloat16(scale));
            }
            scales[scaleOff + g] = scale;
            float inv = scale != 0 ? 1f / scale : 0f;
            if (bits == 8) {
                for (int j = 0; j < group; j++) {
                    q[qOff + g * group + j] = (byte) clamp(GgmlQuant.roundf(src[s + j] * inv), qmax);
                }
            } else {
                int half = group / 2;
                int o = qOff + g * half;
                for (int j = 0; j < half; j++) {
                    int lo = clamp(GgmlQuant.roundf(src[s + j] * inv), qmax) + 8;
                    int hi = clamp(GgmlQuant.roundf(src[s + half + j] * inv), qmax) + 8;
                    q[o + j] = (byte) (lo | (hi << 4));
                }
            }
        }
    }

    private static int clamp(float q, int qmax) {
        return (int) Math.max(-qmax - 1, Math.min(qmax, q));
    }
}
