package io.jspeed.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.model.param.ParamView;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;
import io.jspeed.train.optim.GradientClipping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * jspeed's GPT-2 and Llama against PyTorch: logits, loss, every gradient, clip + AdamW from the saved gradients,
 * and a 3-step training run (tolerances from jspeed-model/src/test/resources/golden/README.md).
 */
class GoldenReferenceTest {

    private static final Parallel POOL = new Parallel(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void logitsAndLossMatchPyTorch(String name) throws IOException {
        TransformerLM lm = GoldenModels.load(name, POOL);
        int[] tokens = GoldenModels.ints(name, "batch.safetensors", "input_ids");
        int[] targets = GoldenModels.ints(name, "batch.safetensors", "targets");
        float[] expected = GoldenModels.floats(name, "logits.safetensors", "logits");
        float[] logits = lm.logits(tokens, 2, 8);
        assertThat(logits).hasSameSizeAs(expected);
        for (int i = 0; i < logits.length; i++)
            assertThat(logits[i]).as("logit %d", i).isCloseTo(expected[i], within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        double loss = lm.loss(tokens, targets, 2, 8) / 16;
        double expectedLoss = GoldenModels.expected(name).get("loss").asDouble();
        assertThat(loss).isCloseTo(expectedLoss, within(1e-5 * expectedLoss));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void everyGradientMatchesPyTorch(String name) throws IOException {
        TransformerLM lm = GoldenModels.load(name, POOL);
        int[] tokens = GoldenModels.ints(name, "batch.safetensors", "input_ids");
        int[] targets = GoldenModels.ints(name, "batch.safetensors", "targets");
        lm.zeroGrads();
        lm.forwardBackward(tokens, targets, 2, 8, 1f / 16);
        try (SafetensorsFile grads = SafetensorsFile.open(GoldenModels.dir(name).resolve("grads_step1.safetensors"))) {
            int checked = 0;
            for (ParamBlock b : lm.paramBlocks()) {
                for (ParamView v : b.views()) {
                    float[] expected = grads.floats(v.name());
                    float max = 0;
                    for (float e : expected) max = Math.max(max, Math.abs(e));
                    for (int i = 0; i < v.size(); i++)
                        assertThat(b.grads()[v.offset() + i]).as("%s[%d]", v.name(), i).isCloseTo(expected[i], within(1e-5f * max + 1e-12f));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(grads.tensors().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void clipAndAdamWOnSavedGradientsMatchPyTorch(String name) throws IOException {
        JsonNode expected = GoldenModels.expected(name);
        JsonNode opt = expected.get("optimizer");
        TransformerLM lm = GoldenModels.load(name, POOL);
        ZeroEngine engine = singleRankEngine(lm, opt);
        for (int step = 1; step <= 3; step++) {
            engine.beginStep();
            try (SafetensorsFile grads = SafetensorsFile.open(GoldenModels.dir(name).resolve("grads_step" + step + ".safetensors"))) {
                for (ParamBlock b : lm.paramBlocks())
                    for (ParamView v : b.views()) System.arraycopy(grads.floats(v.name()), 0, b.grads(), v.offset(), v.size());
            }
            double norm = engine.finishGradients();
            assertThat(norm).isCloseTo(expected.get("grad_norms_before_clip").get(step - 1).asDouble(), within(1e-4));
            engine.step((float) opt.get("lr").asDouble(), GradientClipping.scale(norm, opt.get("grad_clip_norm").asDouble()));
        }
        try (SafetensorsFile after = SafetensorsFile.open(GoldenModels.dir(name).resolve("params_after_3_adamw_steps.safetensors"))) {
            for (ParamBlock b : lm.paramBlocks()) {
                for (ParamView v : b.views()) {
                    float[] want = after.floats(v.name());
                    for (int i = 0; i < v.size(); i++)
                        assertThat(b.values()[v.offset() + i]).as("%s[%d]", v.name(), i).isCloseTo(want[i], within(1e-6f));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void threeTrainingStepsReproduceTheReferenceLosses(String name) throws IOException {
        JsonNode expected = GoldenModels.expected(name);
        JsonNode opt = expected.get("optimizer");
        TransformerLM lm = GoldenModels.load(name, POOL);
        int[] tokens = GoldenModels.ints(name, "batch.safetensors", "input_ids");
        int[] targets = GoldenModels.ints(name, "batch.safetensors", "targets");
        ZeroEngine engine = singleRankEngine(lm, opt);
        for (int step = 0; step < 3; step++) {
            engine.beginStep();
            double loss = lm.forwardBackward(tokens, targets, 2, 8, 1f / 16) / 16;
            double want = expected.get("train_losses").get(step).asDouble();
            assertThat(loss).as("loss at step %d", step + 1).isCloseTo(want, within(1e-4 * want));
            double norm = engine.finishGradients();
            engine.step((float) opt.get("lr").asDouble(), GradientClipping.scale(norm, opt.get("grad_clip_norm").asDouble()));
        }
    }

    /** Stage 0 on a group of one: the plain optimizer, with the loaded weights as they are. */
    private static ZeroEngine singleRankEngine(TransformerLM lm, JsonNode opt) throws IOException {
        var blocks = lm.paramBlocks();
        return new ZeroEngine(lm, RankContext.single(POOL).group(), ZeroOptions.stage(0), false,
                new ShardedAdamW.Settings((float) opt.get("beta1").asDouble(), (float) opt.get("beta2").asDouble(),
                        (float) opt.get("eps").asDouble(), (float) opt.get("weight_decay").asDouble()), POOL,
                (i, dst) -> {
                    if (dst != blocks.get(i).values()) System.arraycopy(blocks.get(i).values(), 0, dst, 0, blocks.get(i).size());
                });
    }
}
