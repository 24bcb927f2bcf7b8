package io.jspeed.train.zero;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reusable full-size buffers for gathered parameters and transient gradients, by length: a ZeRO-3 step gathers
 * every block twice, and allocating each time would churn the heap by the model's size per step. Tracks the
 * bytes it holds for memory accounting. Used by one rank's thread only.
 */
final class BufferPool {

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long heldBytes;

    float[] take(int length, boolean zeroed) {
        ArrayDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[length];
            heldBytes += 4L * length;
        } else if (zeroed) {
            Arrays.fill(a, 0f);
        }
        return a;
    }

    void give(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /** Bytes of every buffer this pool ever allocated (they are kept for reuse). */
    long heldBytes() {
        return heldBytes;
    }
}
