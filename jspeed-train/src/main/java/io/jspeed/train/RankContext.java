package io.jspeed.train;

import io.jspeed.comm.ProcessGroup;
import io.jspeed.comm.local.LocalCluster;
import io.jspeed.tensor.Parallel;

import java.time.Duration;

/**
 * What one data-parallel rank runs with: its world group, its own worker pool, and the per-rank memory budget
 * for model states (0 = none) checked before the model is built.
 */
public record RankContext(ProcessGroup group, Parallel pool, long memoryBudgetBytes) {

    /** One rank alone (a group of one): plain single-process training. */
    public static RankContext single(Parallel pool) {
        return new RankContext(LocalCluster.create(1, Duration.ofMinutes(5)).getFirst(), pool, 0);
    }

    public boolean isLeader() {
        return group.rank() == 0;
    }
}
