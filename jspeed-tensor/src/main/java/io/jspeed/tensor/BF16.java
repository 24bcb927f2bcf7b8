package io.jspeed.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 conversions: a bf16 value is the upper 16 bits of an IEEE float, so decoding is a shift and
 * encoding rounds the dropped 16 bits to nearest, ties to even.
 */
public final class BF16 {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Same lane count as F at half the width, so one float vector converts to one short vector. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));

    private BF16() {}

    /** Rounds to the nearest bf16 (ties to even); infinities stay infinite, NaN stays a (quiet) NaN. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);  // keep sign, force a mantissa bit
        // adding 0x7FFF plus the kept lowest bit rounds half-way cases toward an even result; a carry into the
        // exponent is the correct rounding up to the next binade (or to infinity)
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    public static void encode(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            IntVector top = roundedBits(FloatVector.fromArray(F, src, srcOff + i)).lanewise(VectorOperators.LSHR, 16);
            ((ShortVector) top.convertShape(VectorOperators.I2S, S, 0)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) dst[dstOff + i] = fromFloat(src[srcOff + i]);
    }

    /** Encodes n floats into native-order bf16 at {@code dstByteOff} of an off-heap segment (a native library's operand). */
    public static void encode(float[] src, int srcOff, MemorySegment dst, long dstByteOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            IntVector top = roundedBits(FloatVector.fromArray(F, src, srcOff + i)).lanewise(VectorOperators.LSHR, 16);
            ((ShortVector) top.convertShape(VectorOperators.I2S, S, 0))
                    .intoMemorySegment(dst, dstByteOff + 2L * i, ByteOrder.nativeOrder());
        }
        for (; i < n; i++) dst.set(ValueLayout.JAVA_SHORT, dstByteOff + 2L * i, fromFloat(src[srcOff + i]));
    }

    public static void decode(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            // the widening sign-extends, and the shift pushes those extension bits out again
            IntVector wide = (IntVector) ShortVector.fromArray(S, src, srcOff + i).convertShape(VectorOperators.S2I, I, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) dst[dstOff + i] = toFloat(src[srcOff + i]);
    }

    /** Replaces each float by its nearest bf16 value (as a float), e.g. to emulate bf16 storage. */
    public static void roundInPlace(float[] x, int off, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            roundedBits(FloatVector.fromArray(F, x, off + i)).and(0xFFFF0000).reinterpretAsFloats().intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = toFloat(fromFloat(x[off + i]));
    }

    /** The float bits whose upper half is the rounded bf16 (lower half is garbage), as in fromFloat. */
    private static IntVector roundedBits(FloatVector f) {
        IntVector bits = (IntVector) f.reinterpretAsInts();
        IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF));
        VectorMask<Integer> isNan = f.test(VectorOperators.IS_NAN).cast(I);
        return rounded.blend(bits.or(0x00400000), isNan);
    }
}
