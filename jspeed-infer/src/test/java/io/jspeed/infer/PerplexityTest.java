package io.jspeed.infer;

import io.jspeed.infer.model.HfLayout;
import io.jspeed.infer.model.JspeedRunConfig;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PerplexityTest {

    @Test
    void windowsScoreLikeTheTrainingLoss() throws Exception {
        try (Parallel pool = new Parallel(2)) {
            ModelSpec spec = new ModelSpec(Family.LLAMA, 29, 2, 4, 2, 32, 48, 16, 1e-5f, 10000f);
            TransformerLM lm = new TransformerLM(spec, pool);
            lm.initialize(3);
            SplittableRandom r = new SplittableRandom(1);
            int windows = 3, window = 16;
            int[] tokens = r.ints(windows * window, 0, 29).toArray();
            // the training loss of each window predicts tokens 1..15 from their prefixes: the same pairs perplexity scores
            double nll = 0;
            for (int w = 0; w < windows; w++) {
                int[] in = java.util.Arrays.copyOfRange(tokens, w * window, (w + 1) * window - 1);
                int[] target = java.util.Arrays.copyOfRange(tokens, w * window + 1, (w + 1) * window);
                nll += lm.loss(in, target, 1, in.length);
            }
            LanguageModel model = new LanguageModel(HfLayout.assemble(JspeedRunConfig.config(spec), new io.jspeed.infer.runtime.ParamSourceAccess(lm.paramBlocks()).source()), pool);
            Perplexity.Result result = Perplexity.evaluate(model, tokens, window, -1);
            assertThat(result.scoredTokens()).isEqualTo(windows * (window - 1));
            assertThat(result.windows()).isEqualTo(windows);
            assertThat(result.meanNll()).isCloseTo(nll / (windows * (window - 1)), within(1e-4));
            assertThat(result.perplexity()).isCloseTo(Math.exp(result.meanNll()), within(1e-9));
        }
    }
}
