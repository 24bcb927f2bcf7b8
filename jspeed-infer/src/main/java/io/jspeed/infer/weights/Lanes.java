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

    /** w[wOff, wOff + n) . x[xOff, xOff + n) in fp32; four chains, so the FMA latency does not bound it. */
    static float dot(float[] w, int wOff, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, w, wOff + i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromArray(F, w, wOff + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, w, wOff + i + 2 * L).fma(FloatVector.fromArray(F, x, xOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, w, wOff + i + 3 * L).fma(FloatVector.fromArray(F, x, xOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = FloatVector.fromArray(F, w, wOff + i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w[wOff + i] * x[xOff + i];
        }
        return sum;
    }

    /**
     * Four rows at once: out[outOff + k] = w[wOff + k*stride, +n) . x[xOff, +n) for k in 0..3. Each x vector is
     * loaded once for four FMAs into four independent chains (register blocking, as a GEMM micro-kernel does).
     */
    static void dot4(float[] w, int wOff, int stride, float[] x, int xOff, int n, float[] out, int outOff) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + i);
            acc0 = FloatVector.fromArray(F, w, wOff + i).fma(xv, acc0);
            acc1 = FloatVector.fromArray(F, w, wOff + stride + i).fma(xv, acc1);
            acc2 = FloatVector.fromArray(F, w, wOff + 2 * stride + i).fma(xv, acc2);
            acc3 = FloatVector.fromArray(F, w, wOff + 3 * stride + i).fma(xv, acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD);
        float s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD);
        float s3 = acc3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float xi = x[xOff + i];
            s0 += w[wOff + i] * xi;
            s1 += w[wOff + stride + i] * xi;
            s2 += w[wOff + 2 * stride + i] * xi;
            s3 += w[wOff + 3 * stride + i] * xi;
        }
        out[outOff] = s0;
        out[outOff + 1] = s1;
        out[outOff + 2] = s2;
        out[outOff + 3] = s3;
    }

    static float f16Scalar(MemorySegment seg, long offset) {
        return Float.float16ToFloat(seg.get(SHORT_LE, offset));
    }
}
