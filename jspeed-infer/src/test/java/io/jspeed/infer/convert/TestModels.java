package io.jspeed.infer.convert;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
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

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Models the conversion tests start from: jspeed runs the trainer saved, and real tokenizer files. */
final class TestModels {

    static final String TEXT = "public static void main(String[] args) { return a + b; } // alpha beta gamma ";
    static final Path TOKENIZERS = Path.of("../jspeed-model/src/test/resources/tokenizers");

    private TestModels() {}

    /** A jspeed run of {@code type} (gpt2 or llama) with random initial weights and a BPE tokenizer trained on TEXT. */
    static Path jspeedRun(Path run, String type, int dModel, Parallel pool) throws Exception {
        Tokenizer tokenizer = TokenDataset.trainBpe(List.of(new TextCorpus.Document("a", TEXT.repeat(40))), 300);
        TrainConfig cfg = ConfigLoader.load(null, Map.of("model.type", type, "model.n_layer", "2", "model.d_model", Integer.toString(dModel),
                "model.n_head", "4", "model.n_kv_head", type.equals("llama") ? "2" : "4", "model.seq_len", "32"));
        int vocab = tokenizer.vocabSize();
        TransformerLM lm = new TransformerLM(TrainingRun.modelSpec(cfg.model(), vocab), pool);
        ZeroEngine engine = new ZeroEngine(lm, RankContext.single(pool).group(), ZeroOptions.stage(0), false,
                new ShardedAdamW.Settings(0.9f, 0.95f, 1e-8f, 0f), pool, (i, dst) -> lm.initializeBlock(i, 7, dst));
        Checkpointer.save(run, lm.paramBlocks(), engine, new TrainerState(1, 1, 0, vocab, cfg.toJson()));
        AtomicFiles.writeString(run.resolve("tokenizer.json"), tokenizer.toJson());
        return run;
    }

    /** Copies a fixture's tokenizer.json (unzipped) and tokenizer_config.json into a model folder. */
    static void tokenizerFiles(String fixture, Path dir) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TOKENIZERS.resolve(fixture).resolve("tokenizer.json.gz")))) {
            Files.write(dir.resolve("tokenizer.json"), in.readAllBytes());
        }
        Files.copy(TOKENIZERS.resolve(fixture).resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    }

    /** A Hugging Face config of the test architectures with another vocabulary size. */
    static String withVocab(String configJson, int vocab) {
        return configJson.replace("\"vocab_size\": 50", "\"vocab_size\": " + vocab);
    }

    static int[] greedy(LanguageModel lm, int[] prompt, int n) {
        List<Integer> out = new ArrayList<>();
        new Generator(lm).generate(prompt, n, new Sampler(Sampler.Settings.greedy()), new int[0], out::add);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
