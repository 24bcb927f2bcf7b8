package io.jspeed.tensor.kernel;

import io.jspeed.tensor.Parallel;

/** Token and learned-position embeddings (lookup and gradient scatter) over [rows, dim] activations. */
public final class Embedding {

    private Embedding() {}

    /** out[r] = table[tokens[r]]; an id outside [0, vocab) is an error naming the position. */
    public static void forward(Parallel p, float[] out, int outOff, int[] tokens, int tokOff, int rows,
                               float[] table, int tableOff, int dim, int vocab) {
        for (int r = 0; r < rows; r++) {
            int id = tokens[tokOff + r];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + r + " is outside vocab [0, " + vocab + ")");
            }
        }
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                System.arraycopy(table, tableOff + tokens[tokOff + r] * dim, out, outOff + r * dim, dim);
            }
        });
    }

    /** dTable[tokens[r]] += dOut[r]; split over columns, so repeated tokens never race. */
    public static void backward(Parallel p, float[] dTable, int dTableOff, float[] dOut, int dOutOff,
                                int[] tokens, int tokOff, int rows, int dim) {
        int grain = Math.max(Simd.L, Simd.GRAIN / Math.max(1, rows));
        Simd.forRange(p, dim, grain, (c0, c1) -> {
            for (int r = 0; r < rows; r++) {
                Simd.addInPlace(dTable, dTableOff + tokens[tokOff + r] * dim + c0, dOut, dOutOff + r * dim + c0, c1 - c0);
            }
        });
    }

    /** out[r] += wpe[r % seqLen] */
    public static void addPositions(Parallel p, float[] out, int outOff, float[] wpe, int wpeOff, int rows, int seqLen, int dim) {
        Simd.forRange(p, rows, Math.max(1, Simd.GRAIN / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) Simd.addInPlace(out, outOff + r * dim, wpe, wpeOff + (r % seqLen) * dim, dim);
        });
    }

    /** dWpe[t] += sum of dOut[r] over rows with r % seqLen == t; split over positions, so race-free. */
    public static void positionsBackward(Parallel p, float[] dWpe, int dWpeOff, float[] dOut, int dOutOff,
                                         int rows, int seqLen, int dim) {
        int positions = Math.min(seqLen, rows);
        int perPosition = Math.max(1, dim * (rows / Math.max(1, seqLen)));
        Simd.forRange(p, positions, Math.max(1, Simd.GRAIN / perPosition), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                for (int r = t; r < rows; r += seqLen) Simd.addInPlace(dWpe, dWpeOff + t * dim, dOut, dOutOff + r * dim, dim);
            }
        });
    }
}
