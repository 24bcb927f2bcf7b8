package io.jspeed.model.param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One contiguous buffer of parameters (a transformer block, or the embeddings/head) with named views, and a
 * gradient buffer of the same layout. Flat storage lets the optimizer walk one range with one loop and lets
 * ZeRO cut a block into equal shards; the views keep every tensor addressable by its Hugging Face name.
 *
 * <p>The buffers are the block's <em>working</em> storage and may be swapped: a data-parallel partitioner
 * attaches gathered values only while the block runs (ZeRO-3) or a transient gradient buffer only during its
 * backward (ZeRO-2). An attached array may be longer than {@link #size()} (shard padding); elements past
 * {@code size()} are never read by kernels. Both buffers are allocated on first use unless attached, so a
 * partitioner can build a model whose full values never exist at once.
 */
public final class ParamBlock {

    private final String name;
    private final List<ParamView> views;
    private final Map<String, ParamView> byName;
    private final int size;
    private float[] values;
    private float[] grads;
    private boolean released;

    private ParamBlock(String name, List<ParamView> views, int size) {
        this.name = name;
        this.views = Collections.unmodifiableList(views);
        this.byName = new LinkedHashMap<>();
        for (ParamView v : views) byName.put(v.name(), v);
        this.size = size;
    }

    public String name() {
        return name;
    }

    public List<ParamView> views() {
        return views;
    }

    public ParamView view(String paramName) {
        ParamView v = byName.get(paramName);
        if (v == null) throw new IllegalArgumentException("block " + name + " has no parameter " + paramName + "; it has " + byName.keySet());
        return v;
    }

    /** Offset of a named parameter inside {@link #values()} and {@link #grads()}. */
    public int offset(String paramName) {
        return view(paramName).offset();
    }

    /** The working values; fails if a partitioner has released them (a block used outside its schedule). */
    public float[] values() {
        if (values == null) {
            if (released) throw new IllegalStateException("parameters of block " + name + " are not gathered: used outside the ZeRO schedule");
            values = new float[size];
        }
        return values;
    }

    /** The gradient buffer, allocated on first use unless a partitioner attached one. */
    public float[] grads() {
        if (grads == null) grads = new float[size];
        return grads;
    }

    /** Number of parameters (the logical length; attached arrays may be padded beyond it). */
    public int size() {
        return size;
    }

    /** Makes {@code working} (length >= size, or null to release) the block's values. */
    public void attachValues(float[] working) {
        requireLength(working, "values");
        values = working;
        released = working == null;
    }

    /** Makes {@code buffer} (length >= size, or null to release) the block's gradient buffer. */
    public void attachGrads(float[] buffer) {
        requireLength(buffer, "gradient");
        grads = buffer;
    }

    public void zeroGrads() {
        if (grads != null) Arrays.fill(grads, 0f);
    }

    private void requireLength(float[] a, String what) {
        if (a != null && a.length < size)
            throw new IllegalArgumentException(what + " buffer of " + a.length + " floats is shorter than block " + name + " (" + size + ")");
    }

    /** Collects views in order and lays them out back to back. */
    public static final class Builder {
        private final String name;
        private final List<ParamView> views = new ArrayList<>();
        private int size;

        public Builder(String name) {
            this.name = name;
        }

        /** Elements added so far: the offset the next tensor gets. */
        public int size() {
            return size;
        }

        /** A tensor initialised randomly if it is a matrix, else with zeros (biases). */
        public Builder add(String paramName, boolean decay, int... shape) {
            return add(paramName, decay, shape.length >= 2 ? ParamView.Init.RANDOM : ParamView.Init.ZEROS, shape);
        }

        /** A norm weight: initialised to ones, never decayed. */
        public Builder addOnes(String paramName, int... shape) {
            return add(paramName, false, ParamView.Init.ONES, shape);
        }

        private Builder add(String paramName, boolean decay, ParamView.Init init, int... shape) {
            ParamView v = new ParamView(paramName, size, shape.clone(), decay, init);
            views.add(v);
            long next = (long) size + v.size();
            if (next > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("block " + name + " exceeds 2^31 floats at " + paramName);
            size = (int) next;
            return this;
        }

        public ParamBlock build() {
            return new ParamBlock(name, new ArrayList<>(views), size);
        }
    }
}
