package io.jspeed.train.zero;

import io.jspeed.tensor.FloatSlice;

/**
 * Where one block's gradients accumulate during a step and where the reduced gradients of its owned pieces end
 * up: a full buffer reduced once per step (stages 0-1), or a transient buffer per backward that is
 * reduce-scattered into a shard as soon as the block's gradients are final (stages 2-3).
 */
interface BlockGrads {

    /** Before the first micro-batch of a step. */
    void beginStep();

    /** The block's backward is about to accumulate gradients. */
    void acquire();

    /** The backward that acquired the block is over: its gradients for this micro-batch are complete. */
    void release();

    /** After the last micro-batch: complete every reduction, so {@link #owned} holds summed gradients. */
    void finishStep();

    /** The reduced gradients of an owned piece. */
    FloatSlice owned(ShardLayout.Piece piece);

    /** Bytes held between steps. */
    long residentBytes();
}
