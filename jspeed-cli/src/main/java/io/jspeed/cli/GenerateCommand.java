package io.jspeed.cli;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.infer.StopStrings;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.KvCache;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.tokenizer.StreamingDecoder;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a model (GGUF file, Hugging Face folder or jspeed run), printing tokens as they are chosen.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = {"--model", "-m", "--checkpoint"}, paramLabel = "MODEL",
            description = "A .gguf file, a Hugging Face folder (config.json + model.safetensors) or a jspeed run directory / checkpoint. Default: the newest run under out/.")
    Path model;

    @Option(names = {"--prompt", "-p"}, description = "Text to continue (default: ${DEFAULT-VALUE}).", defaultValue = "public static void main(")
    String prompt;

    @Option(names = "--prompt-ids", split = ",", paramLabel = "ID", description = "Token ids to continue instead of --prompt (used as given, no BOS added).")
    int[] promptIds;

    @Option(names = "--print-ids", description = "Print the generated token ids (comma-separated) instead of text, and the prompt ids on stderr.")
    boolean printIds;

    @Option(names = {"--max-tokens", "-n"}, description = "Tokens to generate (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int maxTokens;

    @Mixin
    SamplingOptions sampling = new SamplingOptions(0.8f, 0f);

    @Option(names = "--stop", paramLabel = "STRING", description = "Stop when the output contains this text (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--kv-cache", description = "KV cache precision: fp32, bf16 or int8 (default: ${DEFAULT-VALUE}).", defaultValue = "fp32")
    String kvCache;

    @Option(names = "--threads", description = "Worker threads (default: all processors).", defaultValue = "0")
    int threads;

    @Override
    public Integer call() throws Exception {
        Sampler sampler = new Sampler(sampling.settings());
        KvCache.Precision precision = KvCache.Precision.parse(kvCache);
        StopStrings stops = new StopStrings(stop);
        Path path = model != null ? model : newestRun(Path.of("out"));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LoadedModel loaded = ModelLoader.load(path); Parallel pool = Parallel.withThreads(threads)) {
            int[] ids;
            if (promptIds != null) ids = promptIds;
            else {
                ids = loaded.special().prompt(loaded.requireTokenizer().encode(prompt));
                if (!printIds) out.print(prompt);
            }
            if (printIds) System.err.println("prompt ids: " + String.join(",", Arrays.stream(ids).mapToObj(Integer::toString).toList()));
            Tokenizer tokenizer = printIds ? null : loaded.requireTokenizer();
            StreamingDecoder decoder = tokenizer == null ? null : new StreamingDecoder(tokenizer);
            LanguageModel lm = new LanguageModel(loaded.weights(), pool);
            int[] count = {0};
            Generator.Stats stats = new Generator(lm).generate(lm.newSequence(precision), ids, maxTokens, sampler, loaded.special().eos(), id -> {
                if (decoder == null) out.print((count[0]++ == 0 ? "" : ",") + id);
                else out.print(stops.accept(decoder.next(id)));
                out.flush();
                return !stops.stopped();
            });
            if (decoder != null) out.print(stops.accept(decoder.flush()) + stops.flush());
            out.println();
            System.err.printf(Locale.ROOT, "%s (%s): prompt %d tokens, prefill %.1f tokens/s; generated %d tokens, decode %.1f tokens/s; stop: %s%n",
                    path.getFileName(), loaded.format(), stats.promptTokens(), stats.prefillTokensPerSecond(), stats.generatedTokens(),
                    stats.decodeTokensPerSecond(), stats.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return 0;
    }

    private static Path newestRun(Path outDir) throws IOException {
        Path best = null;
        FileTime bestTime = null;
        if (Files.isDirectory(outDir)) {
            try (DirectoryStream<Path> runs = Files.newDirectoryStream(outDir)) {
                for (Path r : runs) {
                    Path latest = r.resolve(Checkpointer.LATEST);
                    if (!Files.isRegularFile(latest)) continue;
                    FileTime t = Files.getLastModifiedTime(latest);
                    if (bestTime == null || t.compareTo(bestTime) > 0) {
                        best = r;
                        bestTime = t;
                    }
                }
            }
        }
        if (best == null) throw new IOException("no trained run under " + outDir.toAbsolutePath() + "; run ./jspeed train first or pass --model");
        return best;
    }
}
