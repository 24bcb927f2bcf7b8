package io.jspeed.comm;

/**
 * The ranks that take part in collectives together, seen from one rank. Every rank of a group must call the same
 * collectives in the same order with the same counts; each call blocks until it is complete on this rank or its
 * deadline passes ({@link CommException} naming the collective, group, sequence number and missing ranks).
 *
 * <p>Buffers are heap float arrays with an offset, the layout parameters and gradients already have. Counts are in
 * elements. "Per rank" counts describe one rank's slice: reduceScatter reads {@code size()·countPerRank} elements and
 * leaves this rank's slice (rank r gets elements [r·countPerRank, (r+1)·countPerRank) of the reduction); allGather
 * writes {@code size()·countPerRank} elements, rank r's contribution at [r·countPerRank, ...). Reductions combine
 * ranks in rank order, so a result never depends on timing.
 */
public interface ProcessGroup extends AutoCloseable {

    int rank();

    int size();

    /** A short name for messages and logs, e.g. "world" or "data[1]". */
    String name();

    /** In place: every rank's buf[off, off+count) becomes the reduction over all ranks. */
    void allReduce(float[] buf, int off, int count, ReduceOp op);

    /** In place, in double precision (losses, norms, counters). */
    void allReduce(double[] buf, int off, int count, ReduceOp op);

    void reduceScatter(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank, ReduceOp op);

    void allGather(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank);

    /** Block j of send (countPerRank elements) goes to rank j; block i of recv comes from rank i. */
    void allToAll(float[] send, int sendOff, float[] recv, int recvOff, int countPerRank);

    void broadcast(float[] buf, int off, int count, int root);

    void send(float[] buf, int off, int count, int dest, int tag);

    void recv(float[] buf, int off, int count, int source, int tag);

    void barrier();

    /**
     * Splits this group: ranks with the same color form a new group, ordered by key (then by rank). Collective
     * over this group. Used by {@link DeviceMesh} for its axes.
     */
    ProcessGroup split(int color, int key);

    /**
     * {@link #split(int, int)} with a name for the new group, which messages and logs use (e.g. "data[1]").
     * Backends that cannot name groups may ignore it.
     */
    default ProcessGroup split(int color, int key, String name) {
        return split(color, key);
    }

    /**
     * Whether this rank may run collectives on several groups from several threads at once (background streams for
     * overlap and prefetch). The in-process backend may; the MPI backend, whose bulk collectives block, may not.
     */
    default boolean supportsConcurrentGroups() {
        return true;
    }

    /** Bytes, calls and seconds per collective on this rank since the group was made. */
    CommsLog log();

    /** Releases this rank's handle; does not end the peers. */
    @Override
    void close();
}
