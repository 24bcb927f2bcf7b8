package io.jspeed.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.comm.CommsLog;
import io.jspeed.model.TransformerLM;
import io.jspeed.train.checkpoint.Checkpointer;
import io.jspeed.train.checkpoint.TrainerState;
import io.jspeed.train.config.TrainConfig;
import io.jspeed.train.data.BatchSampler;
import io.jspeed.train.monitor.LossPlot;
import io.jspeed.train.monitor.MetricsLog;
import io.jspeed.train.optim.GradientClipping;
import io.jspeed.train.zero.RankMemory;
import io.jspeed.train.zero.ZeroEngine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training loop of one data-parallel rank, in the order a reader expects: for each step, accumulate gradients
 * over this rank's micro-batches, complete the reductions and clip by the global norm, set the scheduled learning
 * rate, update; evaluate and checkpoint on their intervals. Rank r takes micro-batches r, r+N, r+2N, ... of each
 * global batch, so N ranks see exactly the batches one rank with N times the accumulation steps would. Only rank 0
 * writes metrics, plots and progress; every rank takes part in evaluation and checkpoints (both are collective).
 */
public final class Trainer {

    /** How a run ended. */
    public record Result(int stepsDone, double lastLoss, double lastEvalLoss, boolean stoppedByTimeLimit, List<Double> losses) {}

    private final TrainConfig config;
    private final TransformerLM model;
    private final ZeroEngine engine;
    private final BatchSampler trainBatches;
    private final BatchSampler evalBatches;
    private final Path runDir;
    private final long dataChecksum;
    private final double unigramBaseline;

    public Trainer(TrainConfig config, TransformerLM model, ZeroEngine engine, BatchSampler trainBatches,
                   BatchSampler evalBatches, Path runDir, long dataChecksum, double unigramBaseline) {
        this.config = config;
        this.model = model;
        this.engine = engine;
        this.trainBatches = trainBatches;
        this.evalBatches = evalBatches;
        this.runDir = runDir;
        this.dataChecksum = dataChecksum;
        this.unigramBaseline = unigramBaseline;
    }

    /**
     * Runs from {@code startStep} (the number of completed steps) to config.steps() or the time limit.
     * {@code metrics} is null on every rank but 0.
     */
    public Result run(int startStep, MetricsLog metrics, TrainingListener listener) throws IOException {
        int total = config.steps();
        int ranks = engine.group().size(), rank = engine.group().rank();
        int micro = config.microBatch(), seqLen = config.model().seqLen(), accum = config.gradAccumSteps();
        int positions = micro * seqLen;
        double globalPositions = (double) positions * accum * ranks;
        float gradScale = (float) (1.0 / globalPositions);
        long startNanos = System.nanoTime();
        double limitSeconds = config.minutes() > 0 ? config.minutes() * 60 : Double.POSITIVE_INFINITY;
        List<Double> losses = new ArrayList<>();
        double lastLoss = Double.NaN, lastEval = Double.NaN;
        boolean timedOut = false;
        int step = startStep;
        if (metrics != null) writeMemory(metrics);
        listener.onStart(startStep, total);
        while (step < total) {
            long t0 = System.nanoTime();
            engine.beginStep();
            double lossSum = 0;
            for (int m = 0; m < accum; m++) {
                BatchSampler.Batch batch = trainBatches.batch(step, m * ranks + rank);
                lossSum += model.forwardBackward(batch.tokens(), batch.targets(), micro, seqLen, gradScale);
            }
            double norm = engine.finishGradients();
            double loss = engine.sumAcrossRanks(lossSum) / globalPositions;
            float clip = GradientClipping.scale(norm, config.gradClip());
            double lr = config.optimizer().lr() * config.scheduler().lrFactor(step, total);
            engine.step((float) lr, clip);
            step++;
            double seconds = (System.nanoTime() - t0) * 1e-9;
            double elapsed = (System.nanoTime() - startNanos) * 1e-9;
            lastLoss = loss;
            losses.add(loss);
            double tokensPerSecond = globalPositions / seconds;
            if (metrics != null) {
                ObjectNode rec = metrics.record("train").put("step", step).put("loss", loss).put("lr", lr).put("grad_norm", norm)
                        .put("tokens_per_s", tokensPerSecond).put("step_ms", seconds * 1e3).put("elapsed_s", elapsed);
                metrics.write(rec);
                if (ranks > 1 && (step % config.stepsPerPrint() == 0 || step == total)) writeComms(metrics, step);
            }
            listener.onStep(new TrainingListener.StepReport(step, total, loss, lr, norm, tokensPerSecond, elapsed));

            // Every rank must stop after the same step, so the time limit is rank 0's clock, shared.
            timedOut = agreeOnTimeout(elapsed >= limitSeconds) && step < total;
            boolean last = step == total || timedOut;
            if (config.evalEvery() > 0 && (step % config.evalEvery() == 0 || last)) {
                lastEval = evaluate();
                if (metrics != null) {
                    metrics.write(metrics.record("eval").put("step", step).put("loss", lastEval));
                    LossPlot.write(runDir.resolve("loss.png"), metrics.trainLoss(), metrics.evalLoss(), unigramBaseline);
                }
                listener.onEval(step, lastEval);
            }
            if ((config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) || last) {
                Path dir = Checkpointer.save(runDir, model.paramBlocks(), engine,
                        new TrainerState(step, engine.optimizerSteps(), dataChecksum, model.spec().vocabSize(), config.toJson()));
                listener.onCheckpoint(step, dir);
            }
            if (timedOut) {
                listener.onMessage(String.format("time limit of %.1f minutes reached after step %d of %d; resume with --resume %s",
                        config.minutes(), step, total, runDir));
                break;
            }
        }
        if (metrics != null) LossPlot.write(runDir.resolve("loss.png"), metrics.trainLoss(), metrics.evalLoss(), unigramBaseline);
        return new Result(step, lastLoss, lastEval, timedOut, losses);
    }

    /**
     * Mean loss over the same held-out batches every time. Rank r evaluates batches r, r+N, ...; every rank runs
     * the same number of forward passes (a ZeRO-3 forward is collective), the surplus ones counting for nothing.
     */
    public double evaluate() {
        int micro = config.microBatch(), seqLen = config.model().seqLen();
        int ranks = engine.group().size(), rank = engine.group().rank(), batches = config.evalBatches();
        double sum = 0;
        for (int k = 0; k * ranks < batches; k++) {
            int i = k * ranks + rank;
            BatchSampler.Batch b = evalBatches.batch(Math.min(i, batches - 1), 0);
            double loss = model.loss(b.tokens(), b.targets(), micro, seqLen);
            if (i < batches) sum += loss;
        }
        return engine.sumAcrossRanks(sum) / ((double) batches * micro * seqLen);
    }

    private boolean agreeOnTimeout(boolean mine) {
        if (engine.group().size() == 1 || config.minutes() <= 0) return mine;
        double anyone = engine.sumAcrossRanks(engine.group().rank() == 0 && mine ? 1 : 0);
        return anyone > 0;
    }

    private void writeMemory(MetricsLog metrics) {
        RankMemory mem = engine.memory();
        metrics.write(metrics.record("memory").put("rank", engine.group().rank()).put("ranks", engine.group().size())
                .put("zero_stage", engine.options().stage()).put("parameter_bytes", mem.parameterBytes())
                .put("gradient_bytes", mem.gradientBytes()).put("optimizer_bytes", mem.optimizerBytes())
                .put("working_bytes", mem.workingBytes()).put("model_state_bytes", mem.modelStateBytes()));
    }

    private void writeComms(MetricsLog metrics, int step) {
        ObjectNode rec = metrics.record("comms").put("step", step).put("rank", engine.group().rank());
        ObjectNode ops = rec.putObject("ops");
        for (Map.Entry<String, CommsLog.Entry> e : engine.group().log().snapshot().entrySet()) {
            ops.putObject(e.getKey()).put("calls", e.getValue().calls()).put("bytes", e.getValue().bytes())
                    .put("seconds", e.getValue().seconds());
        }
        metrics.write(rec);
    }
}
