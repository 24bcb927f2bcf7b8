package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.Simd.F;
import static io.jspeed.tensor.kernel.Simd.L;

import io.jspeed.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Softmax cross-entropy over [rows, vocab] logits, fused with its gradient. */
public final class CrossEntropy {

    private CrossEntropy() {}

    /**
     * Returns the sum over rows of -log softmax(logits)[target] and overwrites logits with
     * (softmax - onehot(target)) * gradScale.
     */
    public static double forwardBackward(Parallel p, float[] logits, int logitsOff, int rows, int vocab,
                                         int[] targets, int targetsOff, float gradScale) {
        checkTargets(targets, targetsOff, rows, vocab);
        double[] losses = new double[rows];
        p.forChunks(rows, Math.min(rows, 4 * p.threads()), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = logitsOff + r * vocab, target = targets[targetsOff + r];
                float targetLogit = logits[o + target];
                float max = Simd.max(logits, o, vocab);
                // exp(x - max) replaces the logits, so the gradient pass is one scale
                float sum = Simd.expInPlace(logits, o, vocab, max);
                losses[r] = Math.log(sum) + max - targetLogit;
                float scale = gradScale / sum;
                int i = 0;
                for (int bound = F.loopBound(vocab); i < bound; i += L) {
                    FloatVector.fromArray(F, logits, o + i).mul(scale).intoArray(logits, o + i);
                }
                for (; i < vocab; i++) logits[o + i] *= scale;
                logits[o + target] -= gradScale;
            }
        });
        return sumInOrder(losses);
    }

    /** The sum of per-row losses; logits are left untouched. */
    public static double loss(Parallel p, float[] logits, int logitsOff, int rows, int vocab, int[] targets, int targetsOff) {
        checkTargets(targets, targetsOff, rows, vocab);
        double[] losses = new double[rows];
        p.forChunks(rows, Math.min(rows, 4 * p.threads()), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = logitsOff + r * vocab;
                float max = Simd.max(logits, o, vocab);
                FloatVector vmax = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
                int i = 0;
                for (int bound = F.loopBound(vocab); i < bound; i += L) {
                    acc = acc.add(Simd.exp(FloatVector.fromArray(F, logits, o + i).sub(vmax)));
                }
                float sum = Simd.sumLanes(acc);
                for (; i < vocab; i++) sum += (float) Math.exp(logits[o + i] - max);
                losses[r] = Math.log(sum) + max - logits[o + targets[targetsOff + r]];
            }
        });
        return sumInOrder(losses);
    }

    private static void checkTargets(int[] targets, int targetsOff, int rows, int vocab) {
        for (int r = 0; r < rows; r++) {
            int t = targets[targetsOff + r];
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("cross-entropy target " + t + " at row " + r + " is outside vocab [0, " + vocab + ")");
            }
        }
    }

    private static double sumInOrder(double[] values) {
        double total = 0;
        for (double v : values) total += v;
        return total;
    }
}
