package io.jspeed.train;

import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.tokenizer.ByteTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.ModelConfig;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.data.BatchSampler;
import io.jspeed.train.data.TextCorpus;
import io.jspeed.train.data.TokenDataset;
import io.jspeed.train.monitor.MetricsLog;
import io.jspeed.train.optim.AdamWOptimizer;
import io.jspeed.train.precision.PrecisionPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Assembles a run from its config: corpus, tokenizer, splits, model, optimizer, precision policy, trainer;
 * fresh or resumed from a run directory. A run directory holds config.json, tokenizer.json, metrics.jsonl,
 * loss.png and the latest checkpoint.
 */
public final class TrainingRun {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String METRICS_FILE = "metrics.jsonl";

    private TrainingRun() {}

    public static Trainer.Result start(TrainConfig config, Path runDir, Parallel pool, TrainingListener listener) throws IOException {
        Files.createDirectories(runDir);
        List<List<TextCorpus.Document>> split = loadSplit(config, listener);
        Tokenizer tokenizer;
        if (config.data().tokenizer().equals("bytes")) {
            tokenizer = new ByteTokenizer();
        } else {
            listener.onMessage("training a byte-level BPE vocabulary of " + config.data().vocabSize() + " tokens ...");
            long t0 = System.nanoTime();
            tokenizer = TokenDataset.trainBpe(split.get(1), config.data().vocabSize());
            listener.onMessage(String.format("  done in %.1f s", (System.nanoTime() - t0) * 1e-9));
        }
        AtomicFiles.writeString(runDir.resolve(TOKENIZER_FILE), tokenizer.toJson());
        AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson());
        TokenDataset data = encode(split, tokenizer, pool, listener);

        TransformerLM model = new TransformerLM(modelSpec(config.model(), tokenizer.vocabSize()), pool);
        model.setActivationCheckpointing(config.activationCheckpointing().enabled());
        model.initialize(config.seed());
        AdamWOptimizer optimizer = newOptimizer(config, model);
        PrecisionPolicy precision = PrecisionPolicy.of(config.bf16(), model.paramBlocks());
        try (MetricsLog metrics = new MetricsLog(runDir.resolve(METRICS_FILE), -1)) {
            double unigram = unigramLoss(data.train(), tokenizer.vocabSize());
            metrics.write(metrics.record("start").put("step", 0).put("parameters", model.parameterCount())
                    .put("train_tokens", data.train().length).put("eval_tokens", data.eval().length).put("unigram_loss", unigram));
            describe(listener, model, data, unigram);
            return trainer(config, model, optimizer, precision, data, pool, runDir, unigram).run(0, metrics, listener);
        }
    }

    /** Continues the run in runDir from its latest checkpoint; overrides may extend training.steps or minutes. */
    public static Trainer.Result resume(Path runDir, Map<String, String> overrides, Parallel pool, TrainingListener listener) throws IOException {
        Path checkpoint = Checkpointer.resolve(runDir);
        TrainerState state = Checkpointer.readState(checkpoint);
        TrainConfig config = ConfigLoader.load(runDir.resolve(CONFIG_FILE), overrides);
        Tokenizer tokenizer = loadTokenizer(runDir);
        TokenDataset data = encode(loadSplit(config, listener), tokenizer, pool, listener);
        if (data.checksum() != state.dataChecksum())
            throw new IOException("the training data differs from the data " + checkpoint + " was trained on (token checksum "
                    + data.checksum() + " vs " + state.dataChecksum() + "); resume needs the same --data");
        TransformerLM model = new TransformerLM(modelSpec(config.model(), state.vocabSize()), pool);
        model.setActivationCheckpointing(config.activationCheckpointing().enabled());
        Checkpointer.loadModel(checkpoint, model.paramBlocks());
        AdamWOptimizer optimizer = newOptimizer(config, model);
        Checkpointer.loadOptimizer(checkpoint, optimizer, state.optimizerSteps());
        PrecisionPolicy precision = PrecisionPolicy.of(config.bf16(), model.paramBlocks());
        listener.onMessage("resuming " + runDir + " from step " + state.step() + " (" + checkpoint.getFileName() + ")");
        try (MetricsLog metrics = new MetricsLog(runDir.resolve(METRICS_FILE), state.step())) {
            double unigram = unigramLoss(data.train(), tokenizer.vocabSize());
            return trainer(config, model, optimizer, precision, data, pool, runDir, unigram).run(state.step(), metrics, listener);
        }
    }

    public static Tokenizer loadTokenizer(Path runDir) throws IOException {
        Path file = runDir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) throw new IOException(runDir + " has no " + TOKENIZER_FILE + "; is it a jspeed run directory?");
        return Tokenizer.fromJson(Files.readString(file), file.toString());
    }

    public static ModelSpec modelSpec(ModelConfig m, int vocabSize) {
        ModelSpec.Architecture arch = switch (m.type()) {
            case "gpt2" -> ModelSpec.Architecture.GPT2;
            case "llama" -> ModelSpec.Architecture.LLAMA;
            default -> throw new IllegalArgumentException("model.type=" + m.type() + ": expected gpt2 or llama");
        };
        return new ModelSpec(arch, vocabSize, m.nLayer(), m.nHead(), m.nKvHead(), m.dModel(), m.dFf(), m.seqLen(), m.normEps(), m.ropeTheta());
    }

    /** Cross-entropy of predicting every token by its corpus frequency alone: the bar a language model must clear. */
    public static double unigramLoss(int[] tokens, int vocabSize) {
        long[] counts = new long[vocabSize];
        for (int t : tokens) counts[t]++;
        double h = 0;
        for (long c : counts) {
            if (c == 0) continue;
            double p = (double) c / tokens.length;
            h -= p * Math.log(p);
        }
        return h;
    }

    private static List<List<TextCorpus.Document>> loadSplit(TrainConfig config, TrainingListener listener) throws IOException {
        String path = config.data().path();
        List<TextCorpus.Document> docs = path == null ? TextCorpus.jdkSources() : TextCorpus.read(Path.of(path));
        long chars = docs.stream().mapToLong(d -> d.text().length()).sum();
        listener.onMessage(String.format("corpus: %s, %d documents, %.1f MB",
                path == null ? "JDK src.zip (java.base)" : path, docs.size(), chars / 1e6));
        return TokenDataset.split(docs, config.data().evalFraction(), config.seed());
    }

    private static TokenDataset encode(List<List<TextCorpus.Document>> split, Tokenizer tokenizer, Parallel pool, TrainingListener listener) {
        long t0 = System.nanoTime();
        TokenDataset data = TokenDataset.encode(split.get(0), split.get(1), tokenizer, pool);
        listener.onMessage(String.format("tokenized: %,d train + %,d eval tokens in %.1f s",
                data.train().length, data.eval().length, (System.nanoTime() - t0) * 1e-9));
        return data;
    }

    private static AdamWOptimizer newOptimizer(TrainConfig config, TransformerLM model) {
        var o = config.optimizer();
        return new AdamWOptimizer(model.paramBlocks(), o.beta1(), o.beta2(), o.eps(), o.weightDecay());
    }

    private static Trainer trainer(TrainConfig config, TransformerLM model, AdamWOptimizer optimizer, PrecisionPolicy precision,
                                   TokenDataset data, Parallel pool, Path runDir, double unigram) {
        int seqLen = config.model().seqLen();
        BatchSampler train = new BatchSampler(data.train(), config.microBatch(), seqLen, config.seed(), "train");
        BatchSampler eval = new BatchSampler(data.eval().length >= seqLen + 2 ? data.eval() : data.train(),
                config.microBatch(), seqLen, config.seed() + 1, "eval");
        return new Trainer(config, model, optimizer, precision, train, eval, pool, runDir, data.checksum(), unigram);
    }

    private static void describe(TrainingListener listener, TransformerLM model, TokenDataset data, double unigram) {
        ModelSpec s = model.spec();
        listener.onMessage(String.format("model: %s, %d layers, %d heads, d_model %d, vocab %d, seq_len %d: %,d parameters",
                s.architecture().name().toLowerCase(), s.nLayer(), s.nHead(), s.dModel(), s.vocabSize(), s.maxSeqLen(), model.parameterCount()));
        listener.onMessage(String.format("unigram baseline loss: %.3f nats/token", unigram));
    }
}
