package io.jspeed.model.layer;

import io.jspeed.model.Family;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.LayerNorm;
import io.jspeed.tensor.kernel.RmsNorm;

/**
 * A norm over rows of width C whose weight (and LayerNorm's bias) sit at fixed offsets of a parameter block. Forward
 * saves per-row statistics (rstd, and LayerNorm's mean) for the backward; RMSNorm never touches {@code mean}.
 */
public sealed interface Norm {

    /** out = norm(x) per row, from the block's values w; saves the row statistics. */
    void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, int rows);

    /** Adds dLoss/dx to dX and the weight (and bias) gradients to g, from dOut and the forward's statistics. */
    void backward(float[] dX, float[] g, float[] dOut, float[] x, float[] w, float[] mean, float[] rstd, int rows);

    /** Adds {@code name.weight} (ones) and, for LayerNorm, {@code name.bias} (zeros) to {@code params}. */
    static Norm add(Family.Norm kind, ParamBlock.Builder params, String name, int width, float eps, Parallel pool) {
        int weight = params.size();
        params.addOnes(name + ".weight", width);
        return switch (kind) {
            case LAYER_NORM -> {
                int bias = params.size();
                params.add(name + ".bias", false, width);
                yield new Layer(pool, weight, bias, width, eps);
            }
            case RMS_NORM -> new Rms(pool, weight, width, eps);
        };
    }

    /** Row statistics of {@code rows} rows for norms of this kind: the mean is empty for RMSNorm. */
    static float[] meanBuffer(Family.Norm kind, int rows) {
        return new float[kind == Family.Norm.LAYER_NORM ? rows : 0];
    }

    /** LayerNorm with bias (GPT-2). */
    record Layer(Parallel pool, int weight, int bias, int width, float eps) implements Norm {
        @Override
        public void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, int rows) {
            LayerNorm.forward(pool, out, 0, mean, rstd, 0, x, 0, w, weight, w, bias, rows, width, eps);
        }

        @Override
        public void backward(float[] dX, float[] g, float[] dOut, float[] x, float[] w, float[] mean, float[] rstd, int rows) {
            LayerNorm.backward(pool, dX, 0, g, weight, g, bias, dOut, 0, x, 0, w, weight, mean, rstd, 0, rows, width);
        }
    }

    /** RMSNorm (Llama). */
    record Rms(Parallel pool, int weight, int width, float eps) implements Norm {
        @Override
        public void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, int rows) {
            RmsNorm.forward(pool, out, 0, rstd, 0, x, 0, w, weight, rows, width, eps);
        }

        @Override
        public void backward(float[] dX, float[] g, float[] dOut, float[] x, float[] w, float[] mean, float[] rstd, int rows) {
            RmsNorm.backward(pool, dX, 0, g, weight, dOut, 0, x, 0, w, weight, rstd, 0, rows, width);
        }
    }
}
