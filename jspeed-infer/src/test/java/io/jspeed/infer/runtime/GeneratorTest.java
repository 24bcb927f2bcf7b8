package io.jspeed.infer.runtime;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratorTest {

    /** Its own pool: LanguageModelTest closes the one it shares with its tests. */
    private static final Parallel POOL = new Parallel(2);
    private static final LanguageModel MODEL = LanguageModelTest.inference(LanguageModelTest.trained(LanguageModelTest.llamaSpec()), POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }
    private static final int VOCAB = MODEL.config().vocabSize();

    /** Greedy by brute force: a full forward over the whole prefix for every new token, argmax of the last row. */
    private static int[] bruteForceGreedy(int[] prompt, int n) {
        int[] all = Arrays.copyOf(prompt, prompt.length + n);
        for (int i = 0; i < n; i++) {
            int len = prompt.length + i;
            float[] logits = MODEL.forwardAll(MODEL.newSequence(), Arrays.copyOf(all, len));
            int best = 0;
            for (int v = 1; v < VOCAB; v++) if (logits[(len - 1) * VOCAB + v] > logits[(len - 1) * VOCAB + best]) best = v;
            all[len] = best;
        }
        return Arrays.copyOfRange(all, prompt.length, all.length);
    }

    private static Generator.Stats run(int[] prompt, int max, int[] eos, int stopAfter, List<Integer> out) {
        return new Generator(MODEL).generate(prompt, max, new Sampler(Sampler.Settings.greedy()), eos, t -> {
            out.add(t);
            return out.size() < stopAfter;
        });
    }

    @Test
    void greedyOverTheCacheEqualsBruteForce() {
        int[] prompt = {3, 1, 4, 1, 5};
        List<Integer> out = new ArrayList<>();
        Generator.Stats stats = run(prompt, 6, new int[0], Integer.MAX_VALUE, out);
        assertThat(out).containsExactly(Arrays.stream(bruteForceGreedy(prompt, 6)).boxed().toArray(Integer[]::new));
        assertThat(stats.stopReason()).isEqualTo(Generator.StopReason.MAX_TOKENS);
        assertThat(stats.promptTokens()).isEqualTo(5);
        assertThat(stats.generatedTokens()).isEqualTo(6);
        assertThat(stats.decodeSteps()).isEqualTo(5);
    }

    @Test
    void stopsAtEosAtTheCallersWordAndAtAFullContext() {
        int[] prompt = {3, 1, 4, 1, 5};
        int first = bruteForceGreedy(prompt, 1)[0];
        List<Integer> out = new ArrayList<>();
        assertThat(run(prompt, 6, new int[] {first}, Integer.MAX_VALUE, out).stopReason()).isEqualTo(Generator.StopReason.END_OF_SEQUENCE);
        assertThat(out).isEmpty();
        assertThat(run(prompt, 6, new int[0], 2, out).stopReason()).isEqualTo(Generator.StopReason.STOPPED_BY_CALLER);
        assertThat(out).hasSize(2);
        out.clear();
        int context = MODEL.config().contextLength();
        Generator.Stats full = run(new int[context - 2], 10, new int[0], Integer.MAX_VALUE, out);
        // positions context-2 and context-1 are fed; the token after the last position is still sampled
        assertThat(full.stopReason()).isEqualTo(Generator.StopReason.CONTEXT_FULL);
        assertThat(full.generatedTokens()).isEqualTo(3);
    }
}
