package io.jspeed.infer.model;

import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.RankContext;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A checkpoint the trainer saved loads for inference (trainer.json read directly) and gives TransformerLM's logits. */
class JspeedCheckpointTest {

    @Test
    void llamaAndGpt2CheckpointsGiveTheTrainingModelsLogits(@TempDir Path dir) throws Exception {
        for (String type : List.of("llama", "gpt2")) {
            TrainConfig cfg = ConfigLoader.load(null, Map.of("model.type", type, "model.n_layer", "2", "model.d_model", "32",
                    "model.n_head", "4", "model.n_kv_head", type.equals("llama") ? "2" : "4", "model.seq_len", "16"));
            int vocab = 61;
            try (Parallel pool = new Parallel(2)) {
                TransformerLM lm = new TransformerLM(TrainingRun.modelSpec(cfg.model(), vocab), pool);
                List<ParamBlock> blocks = lm.paramBlocks();
                ZeroEngine engine = new ZeroEngine(lm, RankContext.single(pool).group(), ZeroOptions.stage(0), false,
                        new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), pool, (i, dst) -> lm.initializeBlock(i, 5, dst));
                Path run = dir.resolve(type);
                Checkpointer.save(run, blocks, engine, new TrainerState(3, 3, 0, vocab, cfg.toJson()));
                int[] tokens = {5, 60, 0, 17, 17, 3, 42, 9, 1, 30, 11, 2, 8, 7, 6, 4};
                float[] expected = lm.logits(tokens, 1, tokens.length);
                try (LoadedModel loaded = ModelLoader.load(run)) {
                    assertThat(loaded.format()).isEqualTo("jspeed checkpoint");
                    LanguageModel model = new LanguageModel(loaded.weights(), pool);
                    ModelFilesTest.assertClose(Arrays.copyOf(model.forwardAll(model.newSequence(), tokens), expected.length), expected, 1e-4f);
                }
            }
        }
    }
}
