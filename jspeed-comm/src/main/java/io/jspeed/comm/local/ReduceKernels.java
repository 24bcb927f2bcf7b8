package io.jspeed.comm.local;

import io.jspeed.comm.ReduceOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise reduction of n source ranges into m destination ranges, the inner loop of allReduce and reduceScatter.
 *
 * <p>Each element is combined strictly in source order 0..n-1 (and AVG divides the sum by n once), in the vector body
 * and the scalar tail alike, so a result is bitwise the same as the naive loop and never depends on timing or on how
 * the range was split between ranks. Sources are all loaded before any destination is stored, so a destination may
 * be one of the sources at the same position (in-place allReduce).
 */
final class ReduceKernels {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    private ReduceKernels() {
    }

    static void reduce(ReduceOp op, int n, float[][] src, int[] srcOff, int m, float[][] dst, int[] dstOff, int len) {
        if (op == ReduceOp.MAX) {
            max(n, src, srcOff, m, dst, dstOff, len);
        } else {
            sum(op == ReduceOp.AVG, n, src, srcOff, m, dst, dstOff, len);
        }
    }

    static void reduce(ReduceOp op, int n, double[][] src, int[] srcOff, int m, double[][] dst, int[] dstOff, int len) {
        if (op == ReduceOp.MAX) {
            max(n, src, srcOff, m, dst, dstOff, len);
        } else {
            sum(op == ReduceOp.AVG, n, src, srcOff, m, dst, dstOff, len);
        }
    }

    private static void sum(boolean avg, int n, float[][] src, int[] srcOff, int m, float[][] dst, int[] dstOff, int len) {
        float divisor = n;
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector acc = FloatVector.fromArray(FLOATS, src[0], srcOff[0] + i);
            for (int j = 1; j < n; j++) acc = acc.add(FloatVector.fromArray(FLOATS, src[j], srcOff[j] + i));
            if (avg) acc = acc.div(divisor);
            for (int j = 0; j < m; j++) acc.intoArray(dst[j], dstOff[j] + i);
        }
        for (; i < len; i++) {
            float acc = src[0][srcOff[0] + i];
            for (int j = 1; j < n; j++) acc += src[j][srcOff[j] + i];
            if (avg) acc /= divisor;
            for (int j = 0; j < m; j++) dst[j][dstOff[j] + i] = acc;
        }
    }

    private static void max(int n, float[][] src, int[] srcOff, int m, float[][] dst, int[] dstOff, int len) {
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector acc = FloatVector.fromArray(FLOATS, src[0], srcOff[0] + i);
            for (int j = 1; j < n; j++) acc = acc.max(FloatVector.fromArray(FLOATS, src[j], srcOff[j] + i));
            for (int j = 0; j < m; j++) acc.intoArray(dst[j], dstOff[j] + i);
        }
        for (; i < len; i++) {
            float acc = src[0][srcOff[0] + i];
            for (int j = 1; j < n; j++) acc = Math.max(acc, src[j][srcOff[j] + i]);
            for (int j = 0; j < m; j++) dst[j][dstOff[j] + i] = acc;
        }
    }

    private static void sum(boolean avg, int n, double[][] src, int[] srcOff, int m, double[][] dst, int[] dstOff, int len) {
        double divisor = n;
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector acc = DoubleVector.fromArray(DOUBLES, src[0], srcOff[0] + i);
            for (int j = 1; j < n; j++) acc = acc.add(DoubleVector.fromArray(DOUBLES, src[j], srcOff[j] + i));
            if (avg) acc = acc.div(divisor);
            for (int j = 0; j < m; j++) acc.intoArray(dst[j], dstOff[j] + i);
        }
        for (; i < len; i++) {
            double acc = src[0][srcOff[0] + i];
            for (int j = 1; j < n; j++) acc += src[j][srcOff[j] + i];
            if (avg) acc /= divisor;
            for (int j = 0; j < m; j++) dst[j][dstOff[j] + i] = acc;
        }
    }

    private static void max(int n, double[][] src, int[] srcOff, int m, double[][] dst, int[] dstOff, int len) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector acc = DoubleVector.fromArray(DOUBLES, src[0], srcOff[0] + i);
            for (int j = 1; j < n; j++) acc = acc.max(DoubleVector.fromArray(DOUBLES, src[j], srcOff[j] + i));
            for (int j = 0; j < m; j++) acc.intoArray(dst[j], dstOff[j] + i);
        }
        for (; i < len; i++) {
            double acc = src[0][srcOff[0] + i];
            for (int j = 1; j < n; j++) acc = Math.max(acc, src[j][srcOff[j] + i]);
            for (int j = 0; j < m; j++) dst[j][dstOff[j] + i] = acc;
        }
    }
}
