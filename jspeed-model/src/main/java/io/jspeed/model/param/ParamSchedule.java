package io.jspeed.model.param;

/**
 * What a model tells the owner of its parameter storage, in execution order. The model brackets every use of a
 * block's parameters with {@link #acquire} and {@link #release}; a ZeRO-3 partitioner gathers the block's shards
 * on acquire and frees them on release, a ZeRO-2 partitioner reduce-scatters the block's gradients at the end of
 * a use with gradients. Every rank runs the same model code, so every rank issues the same collectives in the
 * same order.
 */
public interface ParamSchedule {

    /**
     * The block's values are about to be read; with {@code withGrads} its gradients will also be accumulated
     * until the matching release. A block is used with gradients at most once per micro-batch.
     */
    void acquire(ParamBlock block, boolean withGrads);

    /**
     * The use begun by the matching acquire (with the same {@code withGrads}) is over; after a use with
     * gradients, the block's gradients for this micro-batch are complete.
     */
    void release(ParamBlock block, boolean withGrads);

    /** Parameters and gradients stay resident (one rank, or data parallelism without parameter partitioning). */
    ParamSchedule RESIDENT = new ParamSchedule() {
        @Override
        public void acquire(ParamBlock block, boolean withGrads) {}

        @Override
        public void release(ParamBlock block, boolean withGrads) {}
    };
}
