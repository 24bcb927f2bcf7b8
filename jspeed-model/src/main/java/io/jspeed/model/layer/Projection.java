package io.jspeed.model.layer;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;

import java.util.List;

/**
 * A linear layer whose weight, and bias if it has one, sit at fixed offsets of a parameter block: y = x·W (+ b) over
 * the first {@code rows} rows of contiguous activations. Holds what every call would otherwise repeat (engine, pool,
 * offsets, sizes, layout), so a block's step reads as a list of layers.
 *
 * @param bias offset of the bias, or -1 for none
 */
public record Projection(MatmulEngine mm, Parallel pool, int weight, int bias, int in, int out, WeightLayout layout) {

    /** Adds {@code name.weight} (and {@code name.bias}) to {@code params}. */
    public static Projection add(ParamBlock.Builder params, String name, int in, int out, boolean bias, WeightLayout layout,
                                 MatmulEngine mm, Parallel pool) {
        return addPacked(params, List.of(name), new int[]{out}, in, bias, layout, mm, pool);
    }

    /**
     * Adds the weights of {@code names} (outputs {@code outs}) back to back, then their biases, so together they are one
     * projection to the concatenated outputs (e.g. q_proj, k_proj and v_proj giving packed q|k|v rows in one GEMM).
     * Only [out, in] matrices concatenate that way; [in, out] ones must come as one tensor.
     */
    public static Projection addPacked(ParamBlock.Builder params, List<String> names, int[] outs, int in, boolean bias,
                                       WeightLayout layout, MatmulEngine mm, Parallel pool) {
        if (names.size() != outs.length) throw new IllegalArgumentException(names + ": " + outs.length + " output widths");
        if (names.size() > 1 && layout != WeightLayout.OUT_IN)
            throw new IllegalArgumentException(names + ": [in, out] matrices do not concatenate into one projection");
        int weight = params.size(), out = 0;
        for (int i = 0; i < names.size(); i++) {
            params.add(names.get(i) + ".weight", true, layout == WeightLayout.OUT_IN ? new int[]{outs[i], in} : new int[]{in, outs[i]});
            out += outs[i];
        }
        int biasAt = bias ? params.size() : -1;
        if (bias) for (int i = 0; i < names.size(); i++) params.add(names.get(i) + ".bias", false, outs[i]);
        return new Projection(mm, pool, weight, biasAt, in, out, layout);
    }

    /** y = x·W (+ b) from the block's values w. */
    public void forward(float[] y, float[] x, float[] w, int rows) {
        Linear.forward(mm, pool, y, 0, x, 0, w, weight, bias < 0 ? null : w, bias, rows, in, out, layout);
    }

    /** dX = dY·Wᵀ (added to dX when {@code accumulateDx}), and the weight and bias gradients added to g. */
    public void backward(float[] dX, boolean accumulateDx, float[] g, float[] dY, float[] x, float[] w, int rows) {
        Linear.backward(mm, pool, dX, 0, accumulateDx, g, weight, bias < 0 ? null : g, bias, dY, 0, x, 0, w, weight, rows, in, out, layout);
    }
}
