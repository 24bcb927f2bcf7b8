package io.jspeed.comm;

/**
 * The world's ranks laid out on named axes, data x sequence (pipeline and expert axes come later), and this rank's
 * group along each. World rank = dataIndex·sequenceSize + sequenceIndex: the sequence axis is innermost, as in
 * DeepSpeed and Megatron, so the ranks that split one sequence are neighbours. Passed explicitly, never global.
 *
 * @param world    all ranks
 * @param data     the ranks holding the same sequence slice of different batches (gradients are averaged here)
 * @param sequence the ranks splitting the same sequences (size 1 when there is no sequence parallelism)
 */
public record DeviceMesh(ProcessGroup world, ProcessGroup data, ProcessGroup sequence) implements AutoCloseable {

    /**
     * Splits {@code world} into its data and sequence groups. Collective over world: every rank calls it, in the same
     * place of its program. The groups are named "data[s]" (s = sequence index) and "sequence[d]" (d = data index).
     */
    public static DeviceMesh of(ProcessGroup world, int dataSize, int sequenceSize) {
        if (dataSize < 1 || sequenceSize < 1 || (long) dataSize * sequenceSize != world.size()) {
            throw new IllegalArgumentException("device mesh data=" + dataSize + " x sequence=" + sequenceSize
                    + " does not cover group " + world.name() + " of " + world.size() + " ranks (need data x sequence = "
                    + world.size() + ")");
        }
        int d = world.rank() / sequenceSize;
        int s = world.rank() % sequenceSize;
        ProcessGroup sequence = world.split(d, s, "sequence[" + d + "]");
        ProcessGroup data = world.split(s, d, "data[" + s + "]");
        return new DeviceMesh(world, data, sequence);
    }

    /** All ranks on the data axis: a mesh for plain data parallelism. */
    public static DeviceMesh dataParallel(ProcessGroup world) {
        return of(world, world.size(), 1);
    }

    public int dataSize() {
        return data.size();
    }

    public int sequenceSize() {
        return sequence.size();
    }

    /** Closes the axis groups; the world group belongs to the caller. */
    @Override
    public void close() {
        data.close();
        sequence.close();
    }
}
