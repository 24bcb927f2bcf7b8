package io.jspeed.infer.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every weight format shares, and the loads that widen stored lanes to floats.
 *
 * <p>The float species has L = 8 or 16 lanes (AVX2 / AVX-512); byte and short species have the same lane count at
 * a quarter and half the width, so one load of L stored values converts to exactly one float vector. Block
 * formats rely on L dividing 16 (half a 32-element block).
 */
final class Lanes {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() == 8 || FloatVector.SPECIES_PREFERRED.length() == 16
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_256;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** 2^112: scales a half's exponent field, moved into float position, to the float exponent (bias 15 to 127). */
    private static final float HALF_TO_FLOAT_SCALE = 0x1p112f;

    private Lanes() {
    }

    /** L signed bytes at {@code offset} as floats. */
    static FloatVector bytes(MemorySegment seg, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, seg, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    static FloatVector toFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    /** L bf16 values at {@code offset}: a bf16 is the upper half of a float. */
    static FloatVector bf16(MemorySegment seg, long offset) {
        IntVector wide = (IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * L IEEE halves at {@code offset}. Magnitude bits shifted into float position and multiplied by 2^112 give
     * the exact value for normals and subnormals alike; exponent 31 (inf/NaN) is patched to 255; then the sign.
     */
    static FloatVector f16(MemorySegment seg, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, seg, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF);
        FloatVector value = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(HALF_TO_FLOAT_SCALE);
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = value.reinterpretAsInts().blend(magnitude.lanewise(VectorOperators.LSHL, 13).or(0x7F800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    static float f16Scalar(MemorySegment seg, long offset) {
        return Float.float16ToFloat(seg.get(SHORT_LE, offset));
    }
}
