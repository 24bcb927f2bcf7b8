package io.jspeed.train.optim;

/** The factor that clips gradients by their global L2 norm (PyTorch's clip_grad_norm_ convention). */
public final class GradientClipping {

    private GradientClipping() {}

    /** min(1, maxNorm / (norm + 1e-6)); 1 when clipping is off (maxNorm <= 0). */
    public static float scale(double norm, double maxNorm) {
        if (maxNorm <= 0) return 1f;
        return (float) Math.min(1.0, maxNorm / (norm + 1e-6));
    }
}
