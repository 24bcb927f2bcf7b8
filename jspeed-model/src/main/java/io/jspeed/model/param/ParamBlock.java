package io.jspeed.model.param;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One contiguous buffer of parameters (a transformer block, or the embeddings/head) with named views, and a
 * gradient buffer of the same layout. Flat storage lets the optimizer walk one range with one loop and lets
 * ZeRO cut a block into equal shards; the views keep every tensor addressable by its Hugging Face name.
 */
public final class ParamBlock {

    private final String name;
    private final List<ParamView> views;
    private final Map<String, ParamView> byName;
    private final float[] values;
    private final float[] grads;

    private ParamBlock(String name, List<ParamView> views, int size) {
        this.name = name;
        this.views = Collections.unmodifiableList(views);
        this.byName = new LinkedHashMap<>();
        for (ParamView v : views) byName.put(v.name(), v);
        this.values = new float[size];
        this.grads = new float[size];
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

    public float[] values() {
        return values;
    }

    public float[] grads() {
        return grads;
    }

    public int size() {
        return values.length;
    }

    public void zeroGrads() {
        java.util.Arrays.fill(grads, 0f);
    }

    /** Collects views in order and lays them out back to back. */
    public static final class Builder {
        private final String name;
        private final List<ParamView> views = new ArrayList<>();
        private int size;

        public Builder(String name) {
            this.name = name;
        }

        public Builder add(String paramName, boolean decay, int... shape) {
            ParamView v = new ParamView(paramName, size, shape.clone(), decay);
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
