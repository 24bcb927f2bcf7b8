package io.jspeed.model.layer;

import io.jspeed.model.param.ParamBlock;

/** One transformer block: its parameters, and a way to run it on a fixed (batch, seqLen) with saved activations. */
public interface DecoderBlock {

    ParamBlock params();

    /**
     * Allocates this block's saved activations for one (batch, seqLen) and binds them to a shared scratch.
     * Without saved attention probabilities ([batch, heads, seqLen, seqLen]) backward recomputes them.
     */
    BoundBlock bind(int batch, int seqLen, BlockScratch scratch, boolean saveAttentionProbs);

    /** A block with its saved activations for one shape: forward saves what backward needs. */
    interface BoundBlock {
        /** xOut = block(xIn); both [batch·seqLen, d_model]. */
        void forward(float[] xIn, float[] xOut);

        /** On entry dResid holds dLoss/dxOut; on return dLoss/dxIn. Parameter gradients accumulate. */
        void backward(float[] xIn, float[] dResid);
    }
}
