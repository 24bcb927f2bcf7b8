package io.jspeed.cli;

import io.jspeed.train.Trainer;
import io.jspeed.train.TrainingRun;
import io.jspeed.train.config.ConfigLoader;
import io.jspeed.train.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static io.jspeed.cli.TrainingOptions.putIfGiven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any config key by its dotted path, e.g. --set model.n_layer=6 --set optimizer.params.lr=3e-4")
    Map<String, String> sets = new LinkedHashMap<>();

    @Option(names = "--run", paramLabel = "NAME", description = "Run directory name under training.out_dir (default: run-<timestamp>).")
    String runName;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its latest checkpoint (any number of ranks, any ZeRO stage).")
    Path resume;

    @Mixin
    TrainingOptions training = new TrainingOptions();

    @Mixin
    RankOptions ranks = new RankOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        putIfGiven(overrides, "data.path", data);
        putIfGiven(overrides, "training.steps", steps);
        putIfGiven(overrides, "training.minutes", minutes);
        putIfGiven(overrides, "model.type", model);
        putIfGiven(overrides, "training.seed", seed);
        training.addOverrides(overrides);
        overrides.putAll(sets);
        int world = ranks.worldSize();

        if (resume != null) {
            if (config != null) throw new IllegalArgumentException("--resume uses the run's own config.json; drop --config");
            TrainConfig stored = ConfigLoader.load(resume.resolve(TrainingRun.CONFIG_FILE), overrides, world);
            try (ProgressReporter progress = new ProgressReporter(System.out, stored.stepsPerPrint())) {
                Trainer.Result result = ranks.launch(Duration.ofMillis((long) (stored.commTimeoutSeconds() * 1000)), stored.threads(),
                        rank -> TrainingRun.resume(resume, overrides, rank, progress));
                if (ranks.leaderProcess()) progress.summary(result, resume);
            }
            return 0;
        }
        TrainConfig cfg = ConfigLoader.load(config, overrides, world);
        String name = runName != null ? runName : ranks.defaultRunName();
        Path runDir = Path.of(cfg.outDir()).resolve(name);
        if (ranks.leaderProcess() && Files.exists(runDir.resolve("latest")))
            throw new IllegalArgumentException(runDir + " already holds a run; continue it with --resume " + runDir + " or pick another --run NAME");
        try (ProgressReporter progress = new ProgressReporter(System.out, cfg.stepsPerPrint())) {
            if (ranks.leaderProcess()) System.out.println("run directory: " + runDir);
            Trainer.Result result = ranks.launch(Duration.ofMillis((long) (cfg.commTimeoutSeconds() * 1000)), cfg.threads(),
                    rank -> TrainingRun.start(cfg, runDir, rank, progress));
            if (ranks.leaderProcess()) progress.summary(result, runDir);
        }
        return 0;
    }
}
