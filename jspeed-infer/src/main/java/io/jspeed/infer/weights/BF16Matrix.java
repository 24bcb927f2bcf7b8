package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.L;

import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Little-endian bfloat16 rows, widened to fp32 in registers. */
final class BF16Matrix extends GgmlMatrix {

    BF16Matrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.BF16, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (int bound = cols - 2 * L; c <= bound; c += 2 * L) {
            acc0 = Lanes.bf16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = Lanes.bf16(data, o + 2L * (c + L)).fma(FloatVector.fromArray(F, x, xOff + c + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        return c < cols ? addTail(sum, o + 2L * c, c, x, xOff) : sum;
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += L) {
            Lanes.bf16(data, o + 2L * c).intoArray(dst, off + c);
        }
        if (c < cols) {
            dequantize(o + 2L * c, dst, off + c, cols - c);
        }
    }
}
