package io.jspeed.infer.runtime;

import io.jspeed.infer.model.TensorSource;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A TensorSource over a training model's parameter blocks (test-only; fp32 matrices are {@link ArrayMatrix}). */
final class ParamSource implements TensorSource {

    private final Map<String, float[]> values = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();

    ParamSource(List<ParamBlock> blocks) {
        for (ParamBlock b : blocks)
            for (ParamView v : b.views()) put(v.name(), v.longShape(), Arrays.copyOfRange(b.values(), v.offset(), v.offset() + v.size()));
    }

    private void put(String name, long[] shape, float[] data) {
        values.put(name, data);
        shapes.put(name, shape);
    }

    @Override
    public String description() {
        return "test parameters";
    }

    @Override
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        return shapes.get(name).clone();
    }

    @Override
    public float[] floats(String name) {
        return values.get(name).clone();
    }

    @Override
    public WeightMatrix matrix(String name) {
        long[] s = shapes.get(name);
        return new ArrayMatrix((int) s[0], (int) s[1], values.get(name));
    }

    @Override
    public WeightMatrix f32(int rows, int cols, float[] data) {
        return new ArrayMatrix(rows, cols, data);
    }
}
