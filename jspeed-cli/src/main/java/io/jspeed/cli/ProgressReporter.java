package io.jspeed.cli;

import io.jspeed.train.Trainer;
import io.jspeed.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Renders training progress: on a terminal a progress bar (step, loss, tokens/s, ETA); in a pipe or log file,
 * where a redrawn bar would be noise, one plain line every {@code printEvery} steps and per evaluation.
 */
final class ProgressReporter implements TrainingListener, AutoCloseable {

    private final PrintStream out;
    private final boolean interactive;
    private final int printEvery;
    private ProgressBar bar;
    private double lastEval = Double.NaN;
    private int startStep;

    ProgressReporter(PrintStream out, int printEvery) {
        this.out = out;
        this.interactive = System.console() != null && System.console().isTerminal();
        this.printEvery = Math.max(1, printEvery);
    }

    @Override
    public void onMessage(String message) {
        out.println(message);
    }

    @Override
    public void onStart(int startStep, int totalSteps) {
        this.startStep = startStep;
        if (!interactive) return;
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(startStep, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" steps", 1).continuousUpdate().build();
    }

    @Override
    public void onStep(StepReport r) {
        if (bar == null) {
            if (r.step() % printEvery == 0 || r.step() == r.totalSteps()) {
                double eta = r.elapsedSeconds() / Math.max(1, r.step() - startStep) * (r.totalSteps() - r.step());
                out.printf("step %5d/%d  loss %.4f  lr %.2e  grad_norm %.3f  %,.0f tok/s  eta %s%n", r.step(), r.totalSteps(),
                        r.loss(), r.lr(), r.gradNorm(), r.tokensPerSecond(), Duration.ofSeconds((long) eta).toString().substring(2).toLowerCase());
            }
            return;
        }
        bar.stepTo(r.step());
        bar.setExtraMessage(String.format("loss %.3f  %,.0f tok/s", r.loss(), r.tokensPerSecond()));
    }

    @Override
    public void onEval(int step, double loss) {
        lastEval = loss;
        if (bar == null) {
            out.printf("step %5d  eval loss %.4f%n", step, loss);
            return;
        }
        bar.setExtraMessage(String.format("eval %.3f", loss));
    }

    @Override
    public void onCheckpoint(int step, Path dir) {
        // The bar's line is redrawn; checkpoint paths are summarised at the end.
    }

    void summary(Trainer.Result result, Path runDir) {
        close();
        out.printf("done: %d steps, final train loss %.4f, eval loss %.4f%n", result.stepsDone(), result.lastLoss(),
                Double.isNaN(lastEval) ? result.lastEvalLoss() : lastEval);
        out.println("checkpoint: " + runDir + "  (metrics.jsonl, loss.png)");
        out.println("generate:   ./jspeed generate --checkpoint " + runDir + " --prompt \"public static void main(\"");
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
