package io.jspeed.comm.local;

import io.jspeed.comm.ReduceOp;

/**
 * What one rank passes to the collective it is in: written only by its own rank before it arrives at the
 * rendezvous and read by the peers after they have seen it arrive (the arrival is a volatile write, so the plain
 * fields here are visible). Reused from call to call, so a collective allocates nothing.
 */
final class Slot {
    private final String group;

    String op = "";
    long seq;
    long deadline;
    char dtype;
    int count;
    ReduceOp reduceOp;
    int root = -1;
    int color;
    int key;
    Object send;
    int sendOff;
    Object recv;
    int recvOff;

    Slot(String group) {
        this.group = group;
    }

    Slot describe(char dtype, int count, ReduceOp reduceOp, int root) {
        this.dtype = dtype;
        this.count = count;
        this.reduceOp = reduceOp;
        this.root = root;
        return this;
    }

    Slot buffers(Object send, int sendOff, Object recv, int recvOff) {
        this.send = send;
        this.sendOff = sendOff;
        this.recv = recv;
        this.recvOff = recvOff;
        return this;
    }

    /** Drops the references to the caller's arrays so a finished collective keeps nothing alive. */
    void clearBuffers() {
        send = null;
        recv = null;
    }

    /** The same collective with the same shape: what every rank must agree on at one sequence number. */
    boolean sameCallAs(Slot other) {
        return op.equals(other.op) && dtype == other.dtype && count == other.count && reduceOp == other.reduceOp
                && root == other.root;
    }

    /** "allReduce #5 in group world": how messages name this call. */
    String where() {
        return seq > 0 ? op + " #" + seq + " in group " + group : op + " in group " + group;
    }

    /** The call with its shape, e.g. "allReduce(float, count=7, SUM)". */
    String call() {
        StringBuilder b = new StringBuilder(op).append('(');
        if (dtype == 'f') b.append("float, ");
        if (dtype == 'd') b.append("double, ");
        b.append("count=").append(count);
        if (reduceOp != null) b.append(", ").append(reduceOp);
        if (root >= 0) b.append(", root=").append(root);
        return b.append(')').toString();
    }
}
