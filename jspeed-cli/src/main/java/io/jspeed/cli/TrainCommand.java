package io.jspeed.cli;

import io.jspeed.tensor.Parallel;
import io.jspeed.train.Trainer;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a GPT-2 or Llama model. With no options: a small GPT on the running JDK's own java.base sources",
                "(lib/src.zip), about 5 minutes on 2 cores, writing out/<run>/ (metrics.jsonl, loss.png, checkpoint)."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "JSON config with DeepSpeed key names (train_batch_size, optimizer, scheduler, bf16, ...) plus model/data/training blocks.")
    Path config;

    @Option(names = "--data", paramLabel = "PATH", description = "Text file, folder of text files, .zip, or .jsonl with a \"text\" field (default: JDK src.zip, java.base).")
    String data;

    @Option(names = "--steps", description = "Optimizer steps (training.steps).")
    Integer steps;

    @Option(names = "--minutes", description = "Wall-clock limit in minutes; stops with a checkpoint (training.minutes, 0 = none).")
    Double minutes;

    @Option(names = "--model", paramLabel = "gpt2|llama", description = "Model family (model.type).")
    String model;

    @Option(names = "--seed", description = "Seed for initialisation, data split and batches (training.seed).")
    Long seed;

    @Option(names = "--threads", description = "Worker threads (training.threads, 0 = all processors).")
    Integer threads;

    @Option(names = "--bf16", description = "bf16 working weights over fp32 master weights (bf16.enabled).")
    Boolean bf16;

    @Option(names = "--checkpoint-activations", description = "Keep only each block's input in forward and recompute the block in backward (training.checkpoint_activations): less memory, one more forward per step.")
    Boolean checkpointActivations;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any config key by its dotted path, e.g. --set model.n_layer=6 --set optimizer.params.lr=3e-4")
    Map<String, String> sets = new LinkedHashMap<>();

    @Option(names = "--run", paramLabel = "NAME", description = "Run directory name under training.out_dir (default: run-<timestamp>).")
    String runName;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its latest checkpoint.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, "data.path", data);
        put(overrides, "training.steps", steps);
        put(overrides, "training.minutes", minutes);
        put(overrides, "model.type", model);
        put(overrides, "training.seed", seed);
        put(overrides, "training.threads", threads);
        put(overrides, "bf16.enabled", bf16);
        put(overrides, "training.checkpoint_activations", checkpointActivations);
        overrides.putAll(sets);

        if (resume != null) {
            if (config != null) throw new IllegalArgumentException("--resume uses the run's own config.json; drop --config");
            TrainConfig stored = ConfigLoader.load(resume.resolve(TrainingRun.CONFIG_FILE), overrides);
            try (Parallel pool = pool(stored); ProgressReporter progress = new ProgressReporter(System.out, stored.stepsPerPrint())) {
                Trainer.Result result = TrainingRun.resume(resume, overrides, pool, progress);
                progress.summary(result, resume);
            }
            return 0;
        }
        TrainConfig cfg = ConfigLoader.load(config, overrides);
        String name = runName != null ? runName : "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runDir = Path.of(cfg.outDir()).resolve(name);
        if (Files.exists(runDir.resolve("latest")))
            throw new IllegalArgumentException(runDir + " already holds a run; continue it with --resume " + runDir + " or pick another --run NAME");
        try (Parallel pool = pool(cfg); ProgressReporter progress = new ProgressReporter(System.out, cfg.stepsPerPrint())) {
            System.out.println("run directory: " + runDir);
            Trainer.Result result = TrainingRun.start(cfg, runDir, pool, progress);
            progress.summary(result, runDir);
        }
        return 0;
    }

    private static Parallel pool(TrainConfig cfg) {
        return Parallel.withThreads(cfg.threads());
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) m.put(key, String.valueOf(value));
    }
}
