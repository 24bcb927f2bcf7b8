package io.jspeed.train;

import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.tokenizer.ByteTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigException;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.ModelConfig;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.data.BatchSampler;
import io.jspeed.train.data.TextCorpus;
import io.jspeed.train.data.TokenDataset;
import io.jspeed.train.monitor.MetricsLog;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.tensor.matmul.HostMatmul;
import io.jspeed.tensor.matmul.MatmulEngine;
import io.jspeed.train.zero.InitialValues;
import io.jspeed.train.zero.MemoryPlan;
import io.jspeed.train.zero.ShardedAdamW;
import io.jspeed.train.zero.ZeroEngine;

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

    /**
     * A fresh run on this rank. Collective: rank 0 builds the tokenizer and writes config.json and tokenizer.json,
     * the other ranks read them; every rank then encodes the data, builds its model shards and trains.
     */
    public static Trainer.Result start(TrainConfig config, Path runDir, RankContext rank, TrainingListener listener) throws IOException {
        TrainingListener say = rank.isLeader() ? listener : TrainingListener.NONE;
        List<List<TextCorpus.Document>> split = loadSplit(config, say);
        if (rank.isLeader()) {
            Files.createDirectories(runDir);
            Tokenizer built = buildTokenizer(config, split, say);
            AtomicFiles.writeString(runDir.resolve(TOKENIZER_FILE), built.toJson());
            AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson());
        }
        rank.group().barrier();
        // Every rank, the leader too, uses the tokenizer as written, so all encode with identical vocabularies.
        Tokenizer tokenizer = loadTokenizer(runDir);
        TokenDataset data = encode(split, tokenizer, rank.pool(), say);

        try (HostMatmul host = HostMatmul.open(rank.pool(), HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(), say::onMessage)) {
            MatmulEngine matmul = host.forTraining(config.bf16());
            TransformerLM model = new TransformerLM(modelSpec(config.model(), tokenizer.vocabSize()), rank.pool(), matmul);
            model.setActivationCheckpointing(config.activationCheckpointing().enabled());
            MemoryPlan.requireFits(model.paramBlocks(), config.zero(), rank.group().size(), config.bf16(), rank.memoryBudgetBytes());
            long seed = config.seed();
            ZeroEngine engine = newEngine(config, model, rank, (i, dst) -> model.initializeBlock(i, seed, dst));
            double unigram = unigramLoss(data.train(), tokenizer.vocabSize());
            try (engine; MetricsLog metrics = rank.isLeader() ? new MetricsLog(runDir.resolve(METRICS_FILE), -1) : null) {
                if (metrics != null) {
                    metrics.write(metrics.record("start").put("step", 0).put("parameters", model.parameterCount())
                            .put("train_tokens", data.train().length).put("eval_tokens", data.eval().length).put("unigram_loss", unigram)
                            .put("ranks", rank.group().size()).put("zero_stage", config.zero().stage()));
                }
                describe(say, model, data, unigram, rank, engine);
                return trainer(config, model, engine, data, runDir, unigram).run(0, metrics, say);
            }
        }
    }

    /**
     * Continues the run in runDir from its latest checkpoint on this rank; any number of ranks and any stage can
     * resume a checkpoint saved by any other. Overrides (training.steps, minutes, ...) become the run's config.json,
     * so the schedule spans the steps asked for now and a later resume keeps them; the model's shape cannot change,
     * as the checkpoint holds its weights.
     */
    public static Trainer.Result resume(Path runDir, Map<String, String> overrides, RankContext rank, TrainingListener listener) throws IOException {
        TrainingListener say = rank.isLeader() ? listener : TrainingListener.NONE;
        Path checkpoint = Checkpointer.resolve(runDir);
        TrainerState state = Checkpointer.readState(checkpoint);
        TrainConfig config = ConfigLoader.load(runDir.resolve(CONFIG_FILE), overrides, rank.group().size());
        ModelConfig trained = ConfigLoader.load(runDir.resolve(CONFIG_FILE), Map.of(), rank.group().size()).model();
        if (!config.model().equals(trained))
            throw new ConfigException("model", "resuming " + runDir + " with overrides " + overrides + " would change the model from "
                    + trained + " to " + config.model() + "; expected no model.* override on resume (the checkpoint holds that model's weights)");
        Tokenizer tokenizer = loadTokenizer(runDir);
        TokenDataset data = encode(loadSplit(config, say), tokenizer, rank.pool(), say);
        if (data.checksum() != state.dataChecksum())
            throw new IOException("the training data differs from the data " + checkpoint + " was trained on (token checksum "
                    + data.checksum() + " vs " + state.dataChecksum() + "); resume needs the same --data");
        try (HostMatmul host = HostMatmul.open(rank.pool(), HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(), say::onMessage)) {
            MatmulEngine matmul = host.forTraining(config.bf16());
            TransformerLM model = new TransformerLM(modelSpec(config.model(), state.vocabSize()), rank.pool(), matmul);
            model.setActivationCheckpointing(config.activationCheckpointing().enabled());
            MemoryPlan.requireFits(model.paramBlocks(), config.zero(), rank.group().size(), config.bf16(), rank.memoryBudgetBytes());
            ZeroEngine engine;
            try (SafetensorsFile weights = Checkpointer.openModel(checkpoint)) {
                engine = newEngine(config, model, rank, Checkpointer.blockValues(weights, model.paramBlocks()));
            }
            Checkpointer.loadOptimizer(checkpoint, engine, state.optimizerSteps());
            rank.group().barrier();
            if (rank.isLeader()) AtomicFiles.writeString(runDir.resolve(CONFIG_FILE), config.toJson());
            say.onMessage("resuming " + runDir + " from step " + state.step() + " (" + checkpoint.getFileName() + ") on "
                    + rank.group().size() + " rank(s), ZeRO stage " + config.zero().stage());
            try (engine; MetricsLog metrics = rank.isLeader() ? new MetricsLog(runDir.resolve(METRICS_FILE), state.step()) : null) {
                double unigram = unigramLoss(data.train(), tokenizer.vocabSize());
                return trainer(config, model, engine, data, runDir, unigram).run(state.step(), metrics, say);
            }
        }
    }

    private static Tokenizer buildTokenizer(TrainConfig config, List<List<TextCorpus.Document>> split, TrainingListener listener) {
        if (config.data().tokenizer().equals("bytes")) return new ByteTokenizer();
        listener.onMessage("training a byte-level BPE vocabulary of " + config.data().vocabSize() + " tokens ...");
        long t0 = System.nanoTime();
        Tokenizer tokenizer = TokenDataset.trainBpe(split.get(1), config.data().vocabSize());
        listener.onMessage(String.format("  done in %.1f s", (System.nanoTime() - t0) * 1e-9));
        return tokenizer;
    }

    private static ZeroEngine newEngine(TrainConfig config, TransformerLM model, RankContext rank, InitialValues initial) throws IOException {
        var o = config.optimizer();
        return new ZeroEngine(model, rank.group(), config.zero(), config.bf16(),
                new ShardedAdamW.Settings(o.beta1(), o.beta2(), o.eps(), o.weightDecay()), rank.pool(), initial);
    }

    public static Tokenizer loadTokenizer(Path runDir) throws IOException {
        Path file = runDir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) throw new IOException(runDir + " has no " + TOKENIZER_FILE + "; is it a jspeed run directory?");
        return Tokenizer.fromJson(Files.readString(file), file.toString());
    }

    /**
     * The model for config m and a tokenizer of {@code tokenizerVocab} ids. {@code model.vocab_size}, when set, is
     * the embedding's row count (rows past the tokenizer's ids are padding, e.g. to a multiple of 64); 0 takes the
     * tokenizer's.
     */
    public static ModelSpec modelSpec(ModelConfig m, int tokenizerVocab) {
        Family family = switch (m.type()) {
            case "gpt2" -> Family.GPT2;
            case "llama" -> Family.LLAMA;
            default -> throw new IllegalArgumentException("model.type=" + m.type() + ": expected gpt2 or llama");
        };
        if (m.vocabSize() != 0 && m.vocabSize() < tokenizerVocab)
            throw new ConfigException("model.vocab_size", "model.vocab_size=" + m.vocabSize() + ": expected 0 (take it from the tokenizer) or >= "
                    + tokenizerVocab + ", the tokenizer's vocabulary, so every token has an embedding row");
        int vocabSize = m.vocabSize() != 0 ? m.vocabSize() : tokenizerVocab;
        return new ModelSpec(family, vocabSize, m.nLayer(), m.nHead(), m.nKvHead(), m.dModel(), m.dFf(), m.seqLen(), m.normEps(), m.ropeTheta());
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

    private static Trainer trainer(TrainConfig config, TransformerLM model, ZeroEngine engine, TokenDataset data, Path runDir, double unigram) {
        int seqLen = config.model().seqLen();
        BatchSampler train = new BatchSampler(data.train(), config.microBatch(), seqLen, config.seed(), "train");
        BatchSampler eval = new BatchSampler(data.eval().length >= seqLen + 2 ? data.eval() : data.train(),
                config.microBatch(), seqLen, config.seed() + 1, "eval");
        return new Trainer(config, model, engine, train, eval, runDir, data.checksum(), unigram);
    }

    private static void describe(TrainingListener listener, TransformerLM model, TokenDataset data, double unigram, RankContext rank, ZeroEngine engine) {
        ModelSpec s = model.spec();
        listener.onMessage(String.format("model: %s, %d layers, %d heads, d_model %d, vocab %d, seq_len %d: %,d parameters",
                s.family().name(), s.nLayer(), s.nHead(), s.dModel(), s.vocabSize(), s.maxSeqLen(), model.parameterCount()));
        listener.onMessage(String.format("unigram baseline loss: %.3f nats/token", unigram));
        if (rank.group().size() > 1 || engine.options().stage() > 0)
            listener.onMessage(String.format("data parallel: %d rank(s) x %d thread(s), ZeRO stage %d; rank 0 holds %s%s",
                    rank.group().size(), rank.pool().threads(), engine.options().stage(), engine.memory(),
                    engine.options().overlapComm() && !engine.overlaps() && rank.group().size() > 1
                            ? "; overlap_comm and prefetch are off: this backend runs one collective at a time per rank" : ""));
    }
}
