package io.jspeed.tensor.kernel;

/**
 * Causal self-attention over [batch, seqLen] positions with grouped-query heads: query head h reads kv head
 * h / (qHeads / kvHeads).
 */
public record AttentionShape(int batch, int seqLen, int qHeads, int kvHeads, int headDim) {

    public AttentionShape {
        if (batch < 1 || seqLen < 1 || headDim < 1) {
            throw new IllegalArgumentException("batch " + batch + ", seqLen " + seqLen + " and headDim " + headDim + " must be >= 1");
        }
        if (kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("qHeads " + qHeads + " must be a positive multiple of kvHeads " + kvHeads);
        }
    }

    /** Query heads per kv head. */
    public int group() {
        return qHeads / kvHeads;
    }

    /** Entries of the per-row log-sum-exp that forward saves for backward: batch * qHeads * seqLen. */
    public int lseLength() {
        return batch * qHeads * seqLen;
    }

    /** Floating-point operations of forward + backward with the causal mask (2 per multiply-add): 2 GEMMs forward, 5 backward. */
    public double flopsForwardBackward() {
        double pairs = (double) seqLen * (seqLen + 1) / 2;
        return 2.0 * 7 * batch * qHeads * pairs * headDim;
    }
}
