package io.jspeed.model;

import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole model's backward against central finite differences of its loss, for sampled entries of every parameter. */
class TransformerFiniteDifferenceTest {

    @ParameterizedTest
    @EnumSource(ModelSpec.Architecture.class)
    void gradientsMatchFiniteDifferences(ModelSpec.Architecture arch) {
        ModelSpec spec = new ModelSpec(arch, 23, 2, 4, arch == ModelSpec.Architecture.LLAMA ? 2 : 4, 16, 24, 8, 1e-5f, 10000f);
        try (Parallel pool = new Parallel(2)) {
            TransformerLM lm = new TransformerLM(spec, pool);
            lm.initialize(3);
            // Larger weights than the 0.02 init so every path carries signal above float rounding.
            SplittableRandom r = new SplittableRandom(11);
            for (ParamBlock b : lm.paramBlocks())
                for (int i = 0; i < b.size(); i++) b.values()[i] += (float) (r.nextGaussian() * 0.3);
            int batch = 2, seq = 7, n = batch * seq;
            int[] tokens = r.ints(n, 0, 23).toArray(), targets = r.ints(n, 0, 23).toArray();
            lm.zeroGrads();
            lm.forwardBackward(tokens, targets, batch, seq, 1f / n);
            int checked = 0;
            for (ParamBlock b : lm.paramBlocks()) {
                for (ParamView v : b.views()) {
                    for (int s = 0; s < 3; s++) {
                        int i = v.offset() + r.nextInt(v.size());
                        float saved = b.values()[i];
                        float h = 1e-2f;
                        b.values()[i] = saved + h;
                        double up = lm.loss(tokens, targets, batch, seq) / n;
                        b.values()[i] = saved - h;
                        double down = lm.loss(tokens, targets, batch, seq) / n;
                        b.values()[i] = saved;
                        double numeric = (up - down) / (2 * h);
                        assertThat((double) b.grads()[i]).as("%s entry %d", v.name(), i - v.offset())
                                .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 0.03 * Math.abs(numeric)));
                        checked++;
                    }
                }
            }
            assertThat(checked).isGreaterThan(30);
        }
    }
}
