package io.jspeed.train;

import java.nio.file.Path;

/** What a training loop reports as it goes; the CLI turns it into a progress bar and log lines. */
public interface TrainingListener {

    record StepReport(int step, int totalSteps, double loss, double lr, double gradNorm, double tokensPerSecond, double elapsedSeconds) {}

    default void onMessage(String message) {}

    default void onStart(int startStep, int totalSteps) {}

    default void onStep(StepReport report) {}

    default void onEval(int step, double loss) {}

    default void onCheckpoint(int step, Path dir) {}

    TrainingListener NONE = new TrainingListener() {};
}
