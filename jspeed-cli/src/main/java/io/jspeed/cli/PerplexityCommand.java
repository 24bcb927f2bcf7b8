package io.jspeed.cli;

import io.jspeed.infer.Perplexity;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.HostMatmul;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a model on a text file, over non-overlapping windows (each starts fresh, BOS first when the model has one).")
final class PerplexityCommand implements Callable<Integer> {

    @Option(names = {"--model", "-m"}, required = true, description = "A .gguf file, a Hugging Face folder or a jspeed run directory / checkpoint.")
    Path model;

    @Option(names = "--data", required = true, description = "UTF-8 text file to score.")
    Path data;

    @Option(names = "--window", description = "Tokens per window (default: 512, or the context length if shorter).", defaultValue = "0")
    int window;

    @Option(names = "--threads", description = "Worker threads (default: all processors).", defaultValue = "0")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(data)) throw new java.io.IOException(data + " is not a readable file");
        try (LoadedModel loaded = ModelLoader.load(model); Parallel pool = Parallel.withThreads(threads);
             HostMatmul host = HostMatmul.open(pool, HostMatmul.defaultCacheDir(), HostMatmul.defaultDnnlLibrary(), System.err::println)) {
            int[] tokens = loaded.requireTokenizer().encode(Files.readString(data));
            int bos = loaded.special().addBos() ? loaded.special().bos() : -1;
            int w = window > 0 ? window : Math.min(512, loaded.config().contextLength() - (bos >= 0 ? 1 : 0));
            long t0 = System.nanoTime();
            Perplexity.Result r = Perplexity.evaluate(new LanguageModel(loaded.weights(), pool, host.fp32(), host.coarseWeights()), tokens, w, bos);
            double seconds = (System.nanoTime() - t0) * 1e-9;
            System.out.printf(Locale.ROOT, "perplexity %.4f (mean NLL %.4f nats) over %d tokens in %d windows of %d%n",
                    r.perplexity(), r.meanNll(), r.scoredTokens(), r.windows(), w);
            System.err.printf(Locale.ROOT, "%.1f s, %.1f tokens/s%n", seconds, r.scoredTokens() / seconds);
        }
        return 0;
    }
}
