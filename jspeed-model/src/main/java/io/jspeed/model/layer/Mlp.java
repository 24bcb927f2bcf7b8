package io.jspeed.model.layer;

import io.jspeed.model.Family;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Gelu;
import io.jspeed.tensor.kernel.SwiGlu;
import io.jspeed.tensor.matmul.MatmulEngine;

import java.util.Arrays;
import java.util.List;

/**
 * The input side of a block's MLP, up to its activation of width F: gelu(fc(x)) or silu(gate(x)) * up(x). The block
 * owns the down projection and the residual add. Forward saves the pre-activations (fc; gate and up) in
 * {@link BlockActivations#mlpIn}/{@link BlockActivations#mlpUp}; the activation itself is recomputed in backward.
 */
sealed interface Mlp {

    /** Projects x into the saved pre-activations, then writes the activation into act. */
    void forward(float[] act, float[] x, BlockActivations saved, float[] w, int rows);

    /** act = the activation of the saved pre-activations, as forward computed it. */
    void activate(float[] act, BlockActivations saved, int rows);

    /**
     * From s.dAct = dLoss/d(activation): dX = dLoss/dx (overwritten) and the input projections' gradients added to g.
     * Overwrites s.act (the down projection's backward must be done with it) and s.dUp.
     */
    void backward(float[] dX, float[] g, float[] x, float[] w, BlockActivations saved, BlockScratch s, int rows);

    /** Adds the input projections named {@code names} (prefixed) to {@code params}. */
    static Mlp add(Family.Mlp kind, ParamBlock.Builder params, String prefix, List<String> names, int c, int f, boolean bias,
                   WeightLayout layout, MatmulEngine mm, Parallel pool) {
        return switch (kind) {
            case GELU -> new GeluMlp(pool, f, Projection.add(params, prefix + names.getFirst(), c, f, bias, layout, mm, pool));
            case SWIGLU -> new SwiGluMlp(pool, f, Projection.add(params, prefix + names.get(0), c, f, bias, layout, mm, pool),
                    Projection.add(params, prefix + names.get(1), c, f, bias, layout, mm, pool));
        };
    }

    /** GPT-2: gelu(c_fc(x)), tanh approximation. */
    record GeluMlp(Parallel pool, int f, Projection fc) implements Mlp {
        @Override
        public void forward(float[] act, float[] x, BlockActivations saved, float[] w, int rows) {
            fc.forward(saved.mlpIn, x, w, rows);
            activate(act, saved, rows);
        }

        @Override
        public void activate(float[] act, BlockActivations saved, int rows) {
            Gelu.forward(pool, act, 0, saved.mlpIn, 0, rows * f);
        }

        @Override
        public void backward(float[] dX, float[] g, float[] x, float[] w, BlockActivations saved, BlockScratch s, int rows) {
            Arrays.fill(s.act, 0, rows * f, 0f);
            Gelu.backward(pool, s.act, 0, s.dAct, 0, saved.mlpIn, 0, rows * f);
            fc.backward(dX, false, g, s.act, x, w, rows);
        }
    }

    /** Llama: silu(gate_proj(x)) * up_proj(x). */
    record SwiGluMlp(Parallel pool, int f, Projection gate, Projection up) implements Mlp {
        @Override
        public void forward(float[] act, float[] x, BlockActivations saved, float[] w, int rows) {
            gate.forward(saved.mlpIn, x, w, rows);
            up.forward(saved.mlpUp, x, w, rows);
            activate(act, saved, rows);
        }

        @Override
        public void activate(float[] act, BlockActivations saved, int rows) {
            SwiGlu.forward(pool, act, 0, saved.mlpIn, 0, saved.mlpUp, 0, rows * f);
        }

        @Override
        public void backward(float[] dX, float[] g, float[] x, float[] w, BlockActivations saved, BlockScratch s, int rows) {
            Arrays.fill(s.act, 0, rows * f, 0f);
            Arrays.fill(s.dUp, 0, rows * f, 0f);
            SwiGlu.backward(pool, s.act, 0, s.dUp, 0, s.dAct, 0, saved.mlpIn, 0, saved.mlpUp, 0, rows * f);
            gate.backward(dX, false, g, s.act, x, w, rows);
            up.backward(dX, true, g, s.dUp, x, w, rows);
        }
    }
}
