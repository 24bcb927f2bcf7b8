package io.jspeed.infer.weights;

import static io.jspeed.infer.weights.Lanes.F;
import static io.jspeed.infer.weights.Lanes.FLOAT_LE;
import static io.jspeed.infer.weights.Lanes.L;
import static io.jspeed.infer.weights.Lanes.LE;

import io.jspeed.model.format.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Little-endian fp32 rows. */
final class F32Matrix extends GgmlMatrix {

    F32Matrix(int rows, int cols, MemorySegment data) {
        super(GgmlType.F32, rows, cols, data);
    }

    @Override
    float dot(long o, float[] x, int xOff) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        // two chains so consecutive FMAs do not wait on each other (four measured slower: more loads in flight
        // than the streams the prefetchers follow)
        for (int bound = cols - 2 * L; c <= bound; c += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, data, o + 4L * c, LE).fma(FloatVector.fromArray(F, x, xOff + c), acc0);
            acc1 = FloatVector.fromMemorySegment(F, data, o + 4L * (c + L), LE).fma(FloatVector.fromArray(F, x, xOff + c + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += data.get(FLOAT_LE, o + 4L * c) * x[xOff + c];
        }
        return sum;
    }

    @Override
    void decodeRow(long o, float[] dst, int off) {
        MemorySegment.copy(data, FLOAT_LE, o, dst, off, cols);
    }

    @Override
    public void row(int r, float[] dst, int off) {
        MemorySegment.copy(data, FLOAT_LE, r * rowBytes, dst, off, cols);
    }
}
