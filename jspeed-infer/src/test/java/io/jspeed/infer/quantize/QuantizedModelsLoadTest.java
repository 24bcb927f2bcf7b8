package io.jspeed.infer.quantize;

import io.jspeed.infer.Perplexity;
import io.jspeed.infer.convert.ModelConverter;
import io.jspeed.infer.convert.ModelConverterTest;
import io.jspeed.model.Family;
import io.jspeed.infer.model.HfTestFolders;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.RankContext;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.data.TextCorpus;
import io.jspeed.train.data.TokenDataset;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;
import io.jspeed.train.zero.ZeroOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code jspeed quantize --to int8|int4} writes from a Hugging Face folder or a jspeed run loads through
 * ModelLoader (as generate and perplexity open it): matrices in the grouped format, logits near the source's
 * (within what the format's rounding allows), and for a run a Hugging Face folder with its tokenizer.
 */
class QuantizedModelsLoadTest {

    private static final Parallel POOL = new Parallel(2);
    private static final int[] TOKENS = {1, 5, 9, 2, 17, 3, 30, 11};

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static float[] logits(Path model) throws Exception {
        try (LoadedModel m = ModelLoader.load(model)) {
            LanguageModel lm = new LanguageModel(m.weights(), POOL);
            assertThat(Perplexity.evaluate(lm, TOKENS, 8, -1).perplexity()).as(model + " perplexity").isFinite();
            return Arrays.copyOf(lm.forwardAll(lm.newSequence(), TOKENS), TOKENS.length * m.config().vocabSize());
        }
    }

    /**
     * Quantizes {@code source} to int8 and int4 (group 32). Each loads and computes what its stored values give (the
     * reference: the same model with the dequantized weights written out as F32), near the source.
     */
    private static void quantizedLoadsNearTheSource(Path source, Path dir) throws Exception {
        float[] want = logits(source);
        boolean gpt2;
        try (LoadedModel m = ModelLoader.load(source)) {
            gpt2 = m.config().family() == Family.GPT2;
        }
        for (QuantTarget target : new QuantTarget[] {QuantTarget.INT8, QuantTarget.INT4}) {
            Path out = dir.resolve(target.name());
            ModelQuantizer.Report r = ModelQuantizer.quantize(source, out, new ModelQuantizer.Options(target, 32, false, true));
            assertThat(r.quantizedCount()).isGreaterThan(4);
            try (LoadedModel m = ModelLoader.load(out)) {
                // GPT-2's Conv1D weights are transposed to fp32 at load, whatever their storage
                if (!gpt2) assertThat(m.format()).isEqualTo("safetensors " + target.name() + "_G32");
            }
            float[] got = logits(out);
            Path dequantized = dir.resolve(target.name() + "-f32");
            ModelConverter.convert(out, dequantized, ModelConverter.Format.SAFETENSORS, "f32");
            ModelConverterTest.assertClose(got, logits(dequantized), 1e-4f, target + " against its dequantized weights");
            // int4 of a tiny random model moves logits a lot (every matrix, no outlier structure); garbage would be ~1.4
            assertThat(rms(got, want) / rms(want, new float[want.length])).as(source.getFileName() + " " + target + " relative error")
                    .isGreaterThan(0).isLessThan(target == QuantTarget.INT8 ? 0.05 : 0.9);
        }
    }

    private static double rms(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s / a.length);
    }

    @Test
    void huggingFaceFolders(@TempDir Path dir) throws Exception {
        for (String[] c : new String[][] {{"llama", HfTestFolders.LLAMA}, {"gpt2", HfTestFolders.GPT2}}) {
            Path src = dir.resolve(c[0]);
            HfTestFolders.write(src, c[1].replace("\"intermediate_size\": 40", "\"intermediate_size\": 64"));
            quantizedLoadsNearTheSource(src, dir.resolve(c[0] + "-q"));
        }
    }

    /** q8_0 of a model folder is a conversion: llama.cpp's tensor names and architecture, so jspeed (and llama.cpp) load it. */
    @Test
    void modelFoldersToGgufGoThroughConvert(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("qwen2");
        HfTestFolders.write(src, HfTestFolders.QWEN2.replace("\"intermediate_size\": 40", "\"intermediate_size\": 64"));
        Path out = dir.resolve("q8.gguf");
        ModelQuantizer.Report r = ModelQuantizer.quantize(src, out, new ModelQuantizer.Options(QuantTarget.Q8_0, 128, false, true));
        assertThat(r.quantizedCount()).isEqualTo(2 * 7);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().string("general.architecture")).isEqualTo("qwen2");
            assertThat(f.tensor("blk.1.ffn_down.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F16);
        }
        float[] want = logits(src), got = logits(out);
        assertThat(rms(got, want) / rms(want, new float[want.length])).isGreaterThan(0).isLessThan(0.05);
    }

    @Test
    void jspeedRunsBecomeHuggingFaceFolders(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = TokenDataset.trainBpe(List.of(new TextCorpus.Document("a", "alpha beta gamma delta; ".repeat(60))), 290);
        for (String type : new String[] {"gpt2", "llama"}) {
            TrainConfig cfg = ConfigLoader.load(null, Map.of("model.type", type, "model.n_layer", "2", "model.d_model", "64",
                    "model.n_head", "4", "model.n_kv_head", type.equals("llama") ? "2" : "4", "model.seq_len", "16"));
            Path run = dir.resolve(type);
            TransformerLM lm = new TransformerLM(TrainingRun.modelSpec(cfg.model(), tokenizer.vocabSize()), POOL);
            ZeroEngine engine = new ZeroEngine(lm, RankContext.single(POOL).group(), ZeroOptions.stage(0), false,
                    new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), POOL, (i, dst) -> lm.initializeBlock(i, 3, dst));
            Checkpointer.save(run, lm.paramBlocks(), engine, new TrainerState(1, 1, 0, tokenizer.vocabSize(), cfg.toJson()));
            AtomicFiles.writeString(run.resolve("tokenizer.json"), tokenizer.toJson());
            quantizedLoadsNearTheSource(run, dir.resolve(type + "-q"));
            try (LoadedModel m = ModelLoader.load(dir.resolve(type + "-q").resolve("INT4"))) {
                assertThat(m.config().family().name()).isEqualTo(type);
                assertThat(m.requireTokenizer().encode("alpha beta")).isEqualTo(tokenizer.encode("alpha beta"));
            }
            assertThat(dir.resolve(type + "-q/INT8/model.safetensors")).exists();
            assertThat(dir.resolve(type + "-q/INT8/trainer.json")).doesNotExist();
        }
    }
}
