package io.jspeed.infer.weights;

import io.jspeed.tensor.Parallel;

/**
 * A [rows x cols] weight matrix stored [out, in] (row r = output r) in one storage format, usually over a
 * memory-mapped file. One implementation per format (F32, BF16, F16, Q8_0, Q4_0, Q4_K, Q6_K, grouped int8/int4),
 * each with its own vectorized dot products; the format is chosen once at load, never branched per element.
 */
public interface WeightMatrix {

    int rows();

    int cols();

    /** The storage format's name as GGUF or safetensors spells it (F32, BF16, Q8_0, ...). */
    String format();

    /**
     * True when the stored values carry less precision than bf16 (ggml block formats, grouped int8/int4), so a GEMM
     * may round the dequantized weights and the activations to bf16 without losing what the file holds.
     */
    default boolean coarserThanBf16() {
        return !(format().equals("F32") || format().equals("F16") || format().equals("BF16"));
    }

    /** Bytes a full pass over the matrix reads (what decode streams per token). */
    long bytes();

    /** out[outOff + r] = sum_c W[r, c] * x[xOff + c] for every row r, split across the pool. */
    void matvec(Parallel pool, float[] x, int xOff, float[] out, int outOff);

    /**
     * A batch of vectors: out[outOff + b*rows + r] = W[r, :] . x[xOff + b*cols, ...] for b in [0, batch)
     * (prefill and batched decode). Implementations read each weight row once per batch where they can.
     */
    void matmul(Parallel pool, float[] x, int xOff, int batch, float[] out, int outOff);

    /**
     * Rows [rowStart, rowEnd) of {@link #matvec} on the calling thread: out[outOff + r] = W[r, :] . x[xOff, ...).
     * Lets a caller put several matrices that read the same x (q|k|v, gate|up) into one parallel region.
     */
    void matvecRows(float[] x, int xOff, float[] out, int outOff, int rowStart, int rowEnd);

    /** Row r dequantized to fp32 into dst[off, off+cols) (embedding lookup, tests). */
    void row(int r, float[] dst, int off);

    /** Rows [start, end) dequantized to fp32, one after another from dst[off] (GEMM panels). */
    default void decodeRows(int start, int end, float[] dst, int off) {
        for (int r = start; r < end; r++) row(r, dst, off + (r - start) * cols());
    }
}
