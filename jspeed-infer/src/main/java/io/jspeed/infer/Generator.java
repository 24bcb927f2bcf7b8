package io.jspeed.infer;

import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.infer.runtime.SequenceState;

import java.util.Arrays;

/**
 * Autoregressive generation over a KV cache: the prompt goes through the model in chunks (prefill, matmul), then
 * each new token is one decode step (matvec). Stops at an end-of-sequence id, when the sink declines a token (a stop
 * string), at maxTokens, or when the context is full.
 */
public final class Generator {

    /** Prompt rows per prefill call: bounds the activation buffers while keeping matmul efficient. */
    static final int PREFILL_CHUNK = 256;

    public enum StopReason { MAX_TOKENS, END_OF_SEQUENCE, STOPPED_BY_CALLER, CONTEXT_FULL }

    /** Receives each generated token; returning false stops generation after it. */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(int token);
    }

    /**
     * Counts and wall times: prefill covers the prompt's forward passes, decode every later forward (one per token
     * after the first, which comes from the prompt's logits).
     */
    public record Stats(int promptTokens, int generatedTokens, int decodeSteps, long prefillNanos, long decodeNanos, StopReason stopReason) {
        public double prefillTokensPerSecond() {
            return promptTokens / Math.max(1e-9, prefillNanos * 1e-9);
        }

        public double decodeTokensPerSecond() {
            return decodeSteps / Math.max(1e-9, decodeNanos * 1e-9);
        }
    }

    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = model;
    }

    /** Generates on a fresh fp32-cached sequence. */
    public Stats generate(int[] prompt, int maxTokens, Sampler sampler, int[] endOfSequence, TokenSink sink) {
        return generate(model.newSequence(), prompt, maxTokens, sampler, endOfSequence, sink);
    }

    public Stats generate(SequenceState seq, int[] prompt, int maxTokens, Sampler sampler, int[] endOfSequence, TokenSink sink) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt encodes to no tokens; give a non-empty prompt");
        int context = model.config().contextLength(), vocab = model.config().vocabSize();
        if (seq.length() + prompt.length > context)
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens but the model's context length is " + context);
        int[] history = Arrays.copyOf(prompt, prompt.length + Math.max(0, maxTokens));
        int length = prompt.length, generated = 0, steps = 0;
        long t0 = System.nanoTime();
        float[] logits = null;
        for (int i = 0; i < prompt.length; i += PREFILL_CHUNK)
            logits = model.forward(seq, Arrays.copyOfRange(prompt, i, Math.min(prompt.length, i + PREFILL_CHUNK)));
        long prefill = System.nanoTime() - t0, t1 = System.nanoTime();
        StopReason reason = StopReason.MAX_TOKENS;
        while (generated < maxTokens) {
            int next = sampler.sample(logits, 0, vocab, history, length);
            if (contains(endOfSequence, next)) {
                reason = StopReason.END_OF_SEQUENCE;
                break;
            }
            history[length++] = next;
            generated++;
            if (!sink.accept(next)) {
                reason = StopReason.STOPPED_BY_CALLER;
                break;
            }
            if (generated == maxTokens) break;
            if (seq.length() >= context) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            logits = model.decode(seq, next);
            steps++;
        }
        return new Stats(prompt.length, generated, steps, prefill, System.nanoTime() - t1, reason);
    }

    private static boolean contains(int[] ids, int id) {
        if (ids == null) return false;
        for (int x : ids) if (x == id) return true;
        return false;
    }
}
