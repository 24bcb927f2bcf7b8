package io.jspeed.model.layer;

import io.jspeed.model.param.ParamBlock;

/** One transformer block: its parameters, and a way to run it on a fixed (batch, seqLen) with saved activations. */
public interface DecoderBlock {

    ParamBlock params();

    /**
     * Binds this block to one (batch, seqLen): its forward saves into {@code saved} (its own, or one set shared by
     * every block under activation checkpointing) and both passes use the shared {@code scratch}.
     */
    BoundBlock bind(int batch, int seqLen, BlockScratch scratch, BlockActivations saved);

    /** A block with its saved activations for one shape: forward saves what backward needs. */
    interface BoundBlock {
        /** xOut = block(xIn); both [batch·seqLen, d_model]. */
        void forward(float[] xIn, float[] xOut);

        /**
         * On entry dResid holds dLoss/dxOut; on return dLoss/dxIn. Parameter gradients accumulate. Reads what the
         * latest forward of this block saved, so with shared activations that forward must come right before.
         */
        void backward(float[] xIn, float[] dResid);
    }
}
