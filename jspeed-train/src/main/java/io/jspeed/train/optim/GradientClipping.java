package io.jspeed.train.optim;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.Vectors;

import java.util.List;

/** Global L2 norm over all gradients, and the factor that clips it (PyTorch's clip_grad_norm_ convention). */
public final class GradientClipping {

    private GradientClipping() {}

    public static double globalNorm(Parallel pool, List<ParamBlock> blocks) {
        double sum = 0;
        for (ParamBlock b : blocks) sum += Vectors.sumOfSquares(pool, b.grads(), 0, b.size());
        return Math.sqrt(sum);
    }

    /** min(1, maxNorm / (norm + 1e-6)); 1 when clipping is off (maxNorm <= 0). */
    public static float scale(double norm, double maxNorm) {
        if (maxNorm <= 0) return 1f;
        return (float) Math.min(1.0, maxNorm / (norm + 1e-6));
    }
}
