package io.jspeed.infer.weights;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;
import java.util.Objects;

/**
 * Long batches (prefill, perplexity windows) through a GEMM engine: weight rows are decoded to fp32 a panel at a
 * time and multiplied with the whole batch, so the product runs at GEMM speed (packed, cache-blocked) instead of as
 * row-by-row dot products. Decoding costs O(rows x cols) against the product's O(batch x rows x cols), so it
 * vanishes for long batches; short ones stay with {@link WeightMatrix#matmul}, which streams the weights only once.
 * The panel is bounded, so a large vocabulary head never needs its full fp32 copy. Not thread-safe (one per model).
 */
public final class PanelGemm {

    /** Batches shorter than this reuse each decoded row from cache in WeightMatrix.matmul instead. */
    public static final int MIN_BATCH = 32;
    /** fp32 panel size: enough rows for an efficient GEMM, small enough to stay near the caches and off the heap's peak. */
    private static final int PANEL_FLOATS = 1 << 22;
    private static final int MIN_PANEL_ROWS = 16;

    private final MatmulEngine exact;
    private final MatmulEngine coarse;
    private final int panelFloats;
    private float[] panel = new float[0];

    /**
     * {@code exact} (an fp32 engine) multiplies F32/F16/BF16 weights; {@code coarse} those already coarser than
     * bf16 ({@link WeightMatrix#coarserThanBf16}), and may be a bf16 engine.
     */
    public PanelGemm(MatmulEngine exact, MatmulEngine coarse) {
        this(exact, coarse, PANEL_FLOATS);
    }

    /** A panel of about {@code panelFloats} floats (tests use small ones to cross panel boundaries). */
    PanelGemm(MatmulEngine exact, MatmulEngine coarse, int panelFloats) {
        if (exact.bf16()) throw new IllegalArgumentException(exact.name() + " rounds operands to bf16; F32 weights need an fp32 engine");
        this.exact = exact;
        this.coarse = Objects.requireNonNull(coarse, "coarse");
        this.panelFloats = panelFloats;
    }

    /** out[outOff + b*rows + r] = W[r, :] . x[xOff + b*cols, ...) for b in [0, batch), as {@link WeightMatrix#matmul}. */
    public void multiply(Parallel pool, WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff) {
        int rows = w.rows(), cols = w.cols();
        if (batch < MIN_BATCH || cols == 0) {
            w.matmul(pool, x, xOff, batch, out, outOff);
            return;
        }
        Objects.checkFromIndexSize(xOff, batch * cols, x.length);
        Objects.checkFromIndexSize(outOff, batch * rows, out.length);
        int panelRows = Math.min(rows, Math.max(MIN_PANEL_ROWS, panelFloats / cols));
        if (panel.length < panelRows * cols) panel = new float[panelRows * cols];
        float[] p = panel;
        MatmulEngine engine = w.coarserThanBf16() ? coarse : exact;
        for (int r0 = 0; r0 < rows; r0 += panelRows) {
            int n = Math.min(panelRows, rows - r0), first = r0;
            pool.forChunks(n, pool.threads(), (a, b) -> w.decodeRows(first + a, first + b, p, a * cols));
            engine.matmul(pool, false, true, batch, n, cols, x, xOff, cols, p, 0, cols, 0f, out, outOff + r0, rows);
        }
    }
}
