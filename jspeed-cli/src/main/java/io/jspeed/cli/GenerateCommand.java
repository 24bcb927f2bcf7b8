package io.jspeed.cli;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.tokenizer.StreamingDecoder;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Sample a continuation of a prompt from a trained run, printing tokens as they are chosen.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", paramLabel = "RUN_DIR", description = "Run directory (or one of its checkpoint-* directories). Default: the newest run under out/.")
    Path checkpoint;

    @Option(names = "--prompt", description = "Text to continue (default: ${DEFAULT-VALUE}).", defaultValue = "public static void main(")
    String prompt;

    @Option(names = {"--max-tokens", "-n"}, description = "Tokens to generate (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int maxTokens;

    @Option(names = "--temperature", description = "Softmax temperature; 0 = greedy (default: ${DEFAULT-VALUE}).", defaultValue = "0.8")
    float temperature;

    @Option(names = "--top-k", description = "Keep the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).", defaultValue = "0.95")
    float topP;

    @Option(names = "--seed", description = "Sampling seed (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--threads", description = "Worker threads (default: all processors).", defaultValue = "0")
    int threads;

    @Override
    public Integer call() throws Exception {
        Path run = checkpoint != null ? checkpoint : newestRun(Path.of("out"));
        Path ckptDir = Checkpointer.resolve(run);
        Path runDir = Files.isRegularFile(run.resolve(TrainingRun.CONFIG_FILE)) ? run : ckptDir.getParent();
        TrainerState state = Checkpointer.readState(ckptDir);
        TrainConfig cfg = ConfigLoader.fromJson(state.configJson(), ckptDir.resolve("trainer.json").toString());
        Tokenizer tokenizer = TrainingRun.loadTokenizer(runDir);
        Sampler sampler = new Sampler(temperature, topK, topP, seed);
        try (Parallel pool = Parallel.withThreads(threads)) {
            TransformerLM model = new TransformerLM(TrainingRun.modelSpec(cfg.model(), state.vocabSize()), pool);
            Checkpointer.loadModel(ckptDir, model.paramBlocks());
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(prompt);
            out.flush();
            StreamingDecoder decoder = new StreamingDecoder(tokenizer);
            new Generator(model).generate(tokenizer.encode(prompt), maxTokens, sampler, id -> {
                out.print(decoder.next(id));
                out.flush();
            });
            out.println(decoder.flush());
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
        if (best == null) throw new IOException("no trained run under " + outDir.toAbsolutePath() + "; run ./jspeed train first or pass --checkpoint RUN_DIR");
        return best;
    }
}
