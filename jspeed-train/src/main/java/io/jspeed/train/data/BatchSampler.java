package io.jspeed.train.data;

import java.util.SplittableRandom;

/**
 * Picks random windows of a token stream. A batch is a pure function of (seed, step, micro-batch), so a
 * resumed run sees exactly the batches an uninterrupted one would, with no loader state to save.
 */
public final class BatchSampler {

    /** Inputs and next-token targets, each [batch·seqLen]. */
    public record Batch(int[] tokens, int[] targets) {}

    private final int[] stream;
    private final int batch;
    private final int seqLen;
    private final long seed;

    public BatchSampler(int[] stream, int batch, int seqLen, long seed, String splitName) {
        if (stream.length < seqLen + 2)
            throw new IllegalArgumentException("the " + splitName + " split has " + stream.length + " tokens, fewer than seq_len+2="
                    + (seqLen + 2) + "; use more data or a shorter model.seq_len");
        this.stream = stream;
        this.batch = batch;
        this.seqLen = seqLen;
        this.seed = seed;
    }

    public Batch batch(long step, int micro) {
        SplittableRandom random = new SplittableRandom(seed ^ (step * 0x9E3779B97F4A7C15L) ^ ((long) micro << 48) ^ micro);
        int[] tokens = new int[batch * seqLen];
        int[] targets = new int[batch * seqLen];
        int range = stream.length - seqLen - 1;
        for (int b = 0; b < batch; b++) {
            int start = random.nextInt(range + 1);
            System.arraycopy(stream, start, tokens, b * seqLen, seqLen);
            System.arraycopy(stream, start + 1, targets, b * seqLen, seqLen);
        }
        return new Batch(tokens, targets);
    }
}
