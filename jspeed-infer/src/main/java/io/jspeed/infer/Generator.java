package io.jspeed.infer;

import io.jspeed.model.TransformerLM;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * Autoregressive generation with a sliding context window of the model's seq_len. Each token re-runs the
 * forward over the window (no KV cache yet: that arrives with the inference engine's paged KvCache).
 */
public final class Generator {

    private final TransformerLM model;

    public Generator(TransformerLM model) {
        this.model = model;
    }

    /** Generates up to maxTokens after the prompt, handing each new token to onToken as soon as it is chosen. */
    public int[] generate(int[] prompt, int maxTokens, Sampler sampler, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt encodes to no tokens; give a non-empty prompt");
        int window = model.spec().maxSeqLen();
        int[] all = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        for (int i = 0; i < maxTokens; i++) {
            int start = Math.max(0, length - window);
            int[] context = Arrays.copyOfRange(all, start, length);
            int next = sampler.sample(model.nextTokenLogits(context, context.length));
            all[length++] = next;
            onToken.accept(next);
        }
        return Arrays.copyOfRange(all, prompt.length, length);
    }
}
