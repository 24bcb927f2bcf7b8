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

/** Renders training progress: a progress bar (step, loss, tokens/s, ETA) and a line per evaluation and checkpoint. */
final class ProgressReporter implements TrainingListener, AutoCloseable {

    private final PrintStream out;
    private ProgressBar bar;
    private double lastEval = Double.NaN;

    ProgressReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onMessage(String message) {
        out.println(message);
    }

    @Override
    public void onStart(int startStep, int totalSteps) {
        bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(startStep, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setSpeedUnit(ChronoUnit.SECONDS)
                .setUnit(" steps", 1).continuousUpdate().build();
    }

    @Override
    public void onStep(StepReport r) {
        bar.stepTo(r.step());
        bar.setExtraMessage(String.format("loss %.3f  %,.0f tok/s", r.loss(), r.tokensPerSecond()));
    }

    @Override
    public void onEval(int step, double loss) {
        lastEval = loss;
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
