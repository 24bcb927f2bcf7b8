package io.jspeed.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.param.ParamBlock;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.data.BatchSampler;
import io.jspeed.train.monitor.LossPlot;
import io.jspeed.train.monitor.MetricsLog;
import io.jspeed.train.optim.AdamWOptimizer;
import io.jspeed.train.optim.GradientClipping;
import io.jspeed.train.precision.PrecisionPolicy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop, in the order a reader expects: for each step, accumulate gradients over micro-batches,
 * clip by global norm, set the scheduled learning rate, update; evaluate and checkpoint on their intervals.
 */
public final class Trainer {

    /** How a run ended. */
    public record Result(int stepsDone, double lastLoss, double lastEvalLoss, boolean stoppedByTimeLimit, List<Double> losses) {}

    private final TrainConfig config;
    private final TransformerLM model;
    private final AdamWOptimizer optimizer;
    private final PrecisionPolicy precision;
    private final BatchSampler trainBatches;
    private final BatchSampler evalBatches;
    private final Parallel pool;
    private final Path runDir;
    private final long dataChecksum;
    private final double unigramBaseline;

    public Trainer(TrainConfig config, TransformerLM model, AdamWOptimizer optimizer, PrecisionPolicy precision,
                   BatchSampler trainBatches, BatchSampler evalBatches, Parallel pool, Path runDir, long dataChecksum,
                   double unigramBaseline) {
        this.config = config;
        this.model = model;
        this.optimizer = optimizer;
        this.precision = precision;
        this.trainBatches = trainBatches;
        this.evalBatches = evalBatches;
        this.pool = pool;
        this.runDir = runDir;
        this.dataChecksum = dataChecksum;
        this.unigramBaseline = unigramBaseline;
    }

    /** Runs from {@code startStep} (the number of completed steps) to config.steps() or the time limit. */
    public Result run(int startStep, MetricsLog metrics, TrainingListener listener) throws IOException {
        int total = config.steps();
        int micro = config.microBatch(), seqLen = config.model().seqLen(), accum = config.gradAccumSteps();
        int positions = micro * seqLen;
        float gradScale = 1f / (positions * accum);
        List<ParamBlock> blocks = model.paramBlocks();
        long startNanos = System.nanoTime();
        double limitSeconds = config.minutes() > 0 ? config.minutes() * 60 : Double.POSITIVE_INFINITY;
        List<Double> losses = new ArrayList<>();
        double lastLoss = Double.NaN, lastEval = Double.NaN;
        boolean timedOut = false;
        int step = startStep;
        listener.onStart(startStep, total);
        while (step < total) {
            long t0 = System.nanoTime();
            model.zeroGrads();
            double lossSum = 0;
            for (int m = 0; m < accum; m++) {
                BatchSampler.Batch batch = trainBatches.batch(step, m);
                lossSum += model.forwardBackward(batch.tokens(), batch.targets(), micro, seqLen, gradScale);
            }
            double loss = lossSum / ((double) positions * accum);
            double norm = GradientClipping.globalNorm(pool, blocks);
            float clip = GradientClipping.scale(norm, config.gradClip());
            double lr = config.optimizer().lr() * config.scheduler().lrFactor(step, total);
            precision.step(pool, optimizer, (float) lr, clip);
            step++;
            double seconds = (System.nanoTime() - t0) * 1e-9;
            double elapsed = (System.nanoTime() - startNanos) * 1e-9;
            lastLoss = loss;
            losses.add(loss);
            double tokensPerSecond = positions * accum / seconds;
            ObjectNode rec = metrics.record("train").put("step", step).put("loss", loss).put("lr", lr).put("grad_norm", norm)
                    .put("tokens_per_s", tokensPerSecond).put("step_ms", seconds * 1e3).put("elapsed_s", elapsed);
            metrics.write(rec);
            listener.onStep(new TrainingListener.StepReport(step, total, loss, lr, norm, tokensPerSecond, elapsed));

            timedOut = elapsed >= limitSeconds && step < total;
            boolean last = step == total || timedOut;
            if (config.evalEvery() > 0 && (step % config.evalEvery() == 0 || last)) {
                lastEval = evaluate();
                metrics.write(metrics.record("eval").put("step", step).put("loss", lastEval));
                listener.onEval(step, lastEval);
                LossPlot.write(runDir.resolve("loss.png"), metrics.trainLoss(), metrics.evalLoss(), unigramBaseline);
            }
            if ((config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) || last) {
                Path dir = Checkpointer.save(runDir, blocks, precision.masterValues(blocks), optimizer,
                        new TrainerState(step, optimizer.stepCount(), dataChecksum, model.spec().vocabSize(), config.toJson()));
                listener.onCheckpoint(step, dir);
            }
            if (timedOut) {
                listener.onMessage(String.format("time limit of %.1f minutes reached after step %d of %d; resume with --resume %s",
                        config.minutes(), step, total, runDir));
                break;
            }
        }
        LossPlot.write(runDir.resolve("loss.png"), metrics.trainLoss(), metrics.evalLoss(), unigramBaseline);
        return new Result(step, lastLoss, lastEval, timedOut, losses);
    }

    /** Mean loss over the same held-out batches every time. */
    public double evaluate() {
        int micro = config.microBatch(), seqLen = config.model().seqLen();
        double sum = 0;
        for (int i = 0; i < config.evalBatches(); i++) {
            BatchSampler.Batch b = evalBatches.batch(i, 0);
            sum += model.loss(b.tokens(), b.targets(), micro, seqLen);
        }
        return sum / ((double) config.evalBatches() * micro * seqLen);
    }
}
