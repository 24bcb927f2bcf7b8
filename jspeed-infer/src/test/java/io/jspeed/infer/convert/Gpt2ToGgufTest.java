package io.jspeed.infer.convert;

import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.format.gguf.GgmlType;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jspeed GPT-2 checkpoint converted to GGUF gives the checkpoint's logits and tokens; Q8_0 stays close; and where
 * ../shared/peers/llama.cpp is present, llama.cpp loads the file and greedy-decodes the same text as jspeed.
 */
class Gpt2ToGgufTest {

    private static final String PROMPT = "public static void";

    /** Greedy continuation by llama.cpp's llama-simple against jspeed's on the same file (skipped without llama.cpp). */
    private static void llamaCppAgrees(Path gguf, LoadedModel loaded, LanguageModel model) throws Exception {
        Path bin = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && bin == null; p = p.getParent()) {
            Path candidate = p.resolve("shared/peers/llama.cpp/bin/llama-simple");
            if (java.nio.file.Files.isExecutable(candidate)) bin = candidate;
        }
        if (bin == null) {
            System.err.println("NOTICE: the llama.cpp check of Gpt2ToGgufTest skipped: no shared/peers/llama.cpp/bin above the module");
            return;
        }
        Process p = new ProcessBuilder(bin.toString(), "-m", gguf.toString(), "-n", "8", PROMPT)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String theirs = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly(); // a guard, not a measurement
        assertThat(p.exitValue()).as(theirs).isZero();
        Tokenizer t = loaded.requireTokenizer();
        StringBuilder ours = new StringBuilder(PROMPT);
        io.jspeed.model.tokenizer.StreamingDecoder decoder = new io.jspeed.model.tokenizer.StreamingDecoder(t);
        new io.jspeed.infer.Generator(model).generate(model.newSequence(), t.encode(PROMPT), 8,
                new io.jspeed.infer.Sampler(new io.jspeed.infer.Sampler.Settings(0f, 0, 1f, 0f, 1f, 64, 1)), new int[0], id -> {
                    ours.append(decoder.next(id));
                    return true;
                });
        ours.append(decoder.flush());
        assertThat(theirs).as("llama.cpp's greedy text").startsWith(ours.toString());
    }

    @Test
    void theGgufOfACheckpointComputesWhatTheCheckpointComputes(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = TokenDataset.trainBpe(List.of(new TextCorpus.Document("a",
                "public static void main(String[] args) { return a + b; } // alpha beta gamma ".repeat(40))), 300);
        TrainConfig cfg = ConfigLoader.load(null, Map.of("model.type", "gpt2", "model.n_layer", "2", "model.d_model", "32",
                "model.n_head", "4", "model.seq_len", "16"));
        int vocab = tokenizer.vocabSize();
        Path run = dir.resolve("run");
        try (Parallel pool = new Parallel(2)) {
            TransformerLM lm = new TransformerLM(TrainingRun.modelSpec(cfg.model(), vocab), pool);
            ZeroEngine engine = new ZeroEngine(lm, RankContext.single(pool).group(), ZeroOptions.stage(0), false,
                    new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), pool, (i, dst) -> lm.initializeBlock(i, 7, dst));
            Checkpointer.save(run, lm.paramBlocks(), engine, new TrainerState(1, 1, 0, vocab, cfg.toJson()));
            AtomicFiles.writeString(run.resolve("tokenizer.json"), tokenizer.toJson());

            Gpt2ToGguf.convert(Checkpointer.resolve(run), run.resolve("tokenizer.json"), GgmlType.F32, dir.resolve("m.gguf"));
            Gpt2ToGguf.convert(Checkpointer.resolve(run), run.resolve("tokenizer.json"), GgmlType.Q8_0, dir.resolve("q8.gguf"));
            int[] tokens = tokenizer.encode("public static void main(String[] args) {");
            float[] want = lm.logits(tokens, 1, tokens.length);
            try (LoadedModel gguf = ModelLoader.load(dir.resolve("m.gguf")); LoadedModel q8 = ModelLoader.load(dir.resolve("q8.gguf"))) {
                assertThat(gguf.requireTokenizer().encode("public static void main(String[] args) {")).isEqualTo(tokens);
                LanguageModel m = new LanguageModel(gguf.weights(), pool);
                float[] got = Arrays.copyOf(m.forwardAll(m.newSequence(), tokens), want.length);
                for (int i = 0; i < want.length; i++) assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f));
                LanguageModel mq = new LanguageModel(q8.weights(), pool);
                float[] quant = Arrays.copyOf(mq.forwardAll(mq.newSequence(), tokens), want.length);
                double maxDiff = 0, scale = 0;
                for (int i = 0; i < want.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(quant[i] - want[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                assertThat(maxDiff).as("Q8_0 logits against fp32").isGreaterThan(0).isLessThan(0.02 * scale);
                llamaCppAgrees(dir.resolve("m.gguf"), gguf, m);
            }
        }
    }
}
