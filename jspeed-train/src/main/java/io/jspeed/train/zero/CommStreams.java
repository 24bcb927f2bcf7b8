package io.jspeed.train.zero;

import io.jspeed.comm.CommStream;
import io.jspeed.comm.ProcessGroup;

/**
 * The background streams of one rank's engine, each on its own communicator split from the data-parallel group:
 * one reduces finished gradients while backward goes on (overlap_comm), one gathers the next block's parameters
 * while this one computes (ZeRO-3 prefetch). A communicator serves one thread, so each stream gets its own; the
 * split is collective and happens at first use, at the same point of the schedule on every rank.
 */
final class CommStreams implements AutoCloseable {

    private final ProcessGroup group;
    private ProcessGroup gradientGroup, prefetchGroup;
    private CommStream gradients, prefetch;

    CommStreams(ProcessGroup group) {
        this.group = group;
    }

    CommStream gradients() {
        if (gradients == null) {
            gradientGroup = group.split(0, group.rank(), group.name() + ".grads");
            gradients = new CommStream(gradientGroup);
        }
        return gradients;
    }

    CommStream prefetch() {
        if (prefetch == null) {
            prefetchGroup = group.split(0, group.rank(), group.name() + ".prefetch");
            prefetch = new CommStream(prefetchGroup);
        }
        return prefetch;
    }

    @Override
    public void close() {
        if (gradients != null) {
            gradients.close();
            gradientGroup.close();
        }
        if (prefetch != null) {
            prefetch.close();
            prefetchGroup.close();
        }
    }
}
