package io.jspeed.infer;

import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.infer.runtime.SequenceState;

/**
 * Perplexity over non-overlapping windows: each window starts a fresh sequence (BOS first when the model has one)
 * and every token after the window's first is scored given the ones before it.
 */
public final class Perplexity {

    /** Rows per forward call: bounds the [rows, vocab] logits buffer. */
    static final int CHUNK = 128;

    public record Result(long scoredTokens, double meanNll, int windows) {
        public double perplexity() {
            return Math.exp(meanNll);
        }
    }

    private Perplexity() {}

    /** @param bos the id put before each window, or -1 for none */
    public static Result evaluate(LanguageModel model, int[] tokens, int window, int bos) {
        int context = model.config().contextLength(), vocab = model.config().vocabSize();
        int prefix = bos >= 0 ? 1 : 0;
        if (window < 2 || window + prefix > context)
            throw new IllegalArgumentException("--window " + window + ": expected 2.." + (context - prefix) + " (the model's context length " + context + ")");
        if (tokens.length < 2) throw new IllegalArgumentException("the data encodes to " + tokens.length + " tokens; perplexity needs at least 2");
        double nll = 0;
        long scored = 0;
        int windows = 0;
        SequenceState seq = model.newSequence();
        for (int start = 0; start + 1 < tokens.length; start += window) {
            int len = Math.min(window, tokens.length - start);
            int[] input = new int[prefix + len];
            if (prefix == 1) input[0] = bos;
            System.arraycopy(tokens, start, input, prefix, len);
            seq.truncate(0);
            // input[i]'s logits predict input[i+1]; with BOS the window's first token is scored too
            for (int c = 0; c < input.length - 1; c += CHUNK) {
                int rows = Math.min(CHUNK, input.length - 1 - c);
                float[] logits = model.forwardAll(seq, java.util.Arrays.copyOfRange(input, c, c + rows));
                for (int r = 0; r < rows; r++) {
                    nll -= logSoftmax(logits, r * vocab, vocab, input[c + r + 1]);
                    scored++;
                }
            }
            windows++;
        }
        return new Result(scored, nll / scored, windows);
    }

    private static double logSoftmax(float[] logits, int off, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        return logits[off + target] - max - Math.log(sum);
    }
}
