package io.jspeed.model;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole model's backward against finite differences of its loss, on up to {@value #ENTRIES} entries of every
 * parameter tensor. Each numeric derivative is a Richardson extrapolation of two central differences (step h and
 * h/2), which cancels the h² truncation error that plain central differences of fp32 losses leave at the percent
 * level; what remains is ~1e-4 relative. Per tensor, the analytic gradient must match within {@value #TOLERANCE}
 * relative (L2 over the sampled entries): a gradient scaled by 1.01, or missing one of its terms, fails.
 */
class TransformerFiniteDifferenceTest {

    private static final int ENTRIES = 32;
    private static final double TOLERANCE = 5e-3;
    private static final float H = 1e-2f;

    /** The trained families, and choices in combinations no preset has: the parts must compose whatever the mix. */
    static final List<Family> FAMILIES = List.of(Family.GPT2, Family.LLAMA, Family.QWEN2,
            withTiedHead(Family.GPT2, false),
            new Family("llama-with-layernorm-output-biases-tied", Family.Norm.LAYER_NORM, false, Family.Mlp.SWIGLU, false, true, false, true, HfNames.LLAMA));

    @ParameterizedTest
    @FieldSource("FAMILIES")
    void gradientsMatchFiniteDifferences(Family family) {
        // Grouped-query attention wherever k and v have projections of their own.
        ModelSpec spec = new ModelSpec(family, 23, 2, 4, family.names().qkv().size() == 3 ? 2 : 4, 16, 24, 8, 1e-5f, 10000f);
        // One thread: this checks the equations; the kernels' tests cover their parallel splits.
        TransformerLM lm = new TransformerLM(spec, Parallel.serial());
        lm.initialize(3);
        // Larger weights than the 0.02 init so every path carries signal above float rounding.
        SplittableRandom r = new SplittableRandom(11);
        for (ParamBlock b : lm.paramBlocks())
            for (int i = 0; i < b.size(); i++) b.values()[i] += (float) (r.nextGaussian() * 0.3);
        int batch = 2, seq = 7, n = batch * seq;
        int[] tokens = r.ints(n, 0, 23).toArray(), targets = r.ints(n, 0, 23).toArray();
        lm.zeroGrads();
        lm.forwardBackward(tokens, targets, batch, seq, 1f / n);
        int tensors = 0;
        for (ParamBlock b : lm.paramBlocks()) {
            for (ParamView v : b.views()) {
                int k = Math.min(v.size(), ENTRIES);
                double errSq = 0, numericSq = 0;
                for (int s = 0; s < k; s++) {
                    int i = v.offset() + (v.size() <= ENTRIES ? s : r.nextInt(v.size()));
                    double coarse = centralDifference(lm, b, i, H, tokens, targets, batch, seq) / n;
                    double fine = centralDifference(lm, b, i, H / 2, tokens, targets, batch, seq) / n;
                    double numeric = (4 * fine - coarse) / 3;
                    double analytic = b.grads()[i];
                    errSq += (analytic - numeric) * (analytic - numeric);
                    numericSq += numeric * numeric;
                }
                assertThat(Math.sqrt(numericSq)).as("%s: gradient norm over %d entries (too small to test)", v.name(), k).isGreaterThan(1e-2);
                assertThat(Math.sqrt(errSq / numericSq)).as("%s: relative L2 error of the gradient over %d entries", v.name(), k)
                        .isLessThan(TOLERANCE);
                tensors++;
            }
        }
        assertThat(tensors).isEqualTo(lm.paramBlocks().stream().mapToInt(b -> b.views().size()).sum()).isGreaterThan(20);
    }

    private static Family withTiedHead(Family f, boolean tied) {
        return new Family(f.name() + (tied ? "-tied" : "-untied"), f.norm(), f.learnedPositions(), f.mlp(), f.qkvBias(), f.outputBiases(),
                f.qkNorm(), tied, f.names());
    }

    private static double centralDifference(TransformerLM lm, ParamBlock b, int i, float h, int[] tokens, int[] targets, int batch, int seq) {
        float saved = b.values()[i];
        b.values()[i] = saved + h;
        double up = lm.loss(tokens, targets, batch, seq);
        b.values()[i] = saved - h;
        double down = lm.loss(tokens, targets, batch, seq);
        b.values()[i] = saved;
        // The step actually taken, as fp32 rounds saved ± h.
        return (up - down) / ((double) (saved + h) - (double) (saved - h));
    }
}
