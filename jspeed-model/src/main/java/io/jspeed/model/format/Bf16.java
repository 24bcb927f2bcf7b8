package io.jspeed.model.format;

/** Conversion from fp32 to bf16 bits, rounding to nearest with ties to even as hardware bf16 converts do. */
final class Bf16 {

    private Bf16() {
    }

    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            // Truncation could clear every mantissa bit and turn a NaN into infinity; keep it a quiet NaN.
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** Exact: bf16 is the upper half of an fp32, so widening is a shift. */
    static float toFloat(short bf16) {
        return Float.intBitsToFloat(bf16 << 16);
    }
}
