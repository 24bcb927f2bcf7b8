package io.jspeed.infer.runtime;

import io.jspeed.infer.model.HfLayout;
import io.jspeed.infer.model.JspeedRunConfig;
import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The inference forward against the training model, and KV-cache decode and batching against a full re-forward. */
class LanguageModelTest {

    private static final Parallel POOL = new Parallel(2);
    private static final int VOCAB = 37, SEQ = 12;

    @AfterAll
    static void close() {
        POOL.close();
    }

    static TransformerLM trained(ModelSpec spec) {
        TransformerLM lm = new TransformerLM(spec, POOL);
        lm.initialize(7);
        // non-trivial norms so their weights matter
        SplittableRandom r = new SplittableRandom(3);
        for (var b : lm.paramBlocks())
            for (var v : b.views())
                if (v.shape().length == 1) for (int i = 0; i < v.size(); i++) b.values()[v.offset() + i] += (float) (r.nextDouble() - 0.5) * 0.2f;
        return lm;
    }

    static ModelSpec llamaSpec() {
        return new ModelSpec(Family.LLAMA, VOCAB, 2, 4, 2, 32, 48, SEQ, 1e-5f, 10000f);
    }

    static ModelSpec gpt2Spec() {
        return ModelSpec.gpt2(VOCAB, 2, 4, 32, SEQ);
    }

    static LanguageModel inference(TransformerLM lm) {
        return inference(lm, POOL);
    }

    static LanguageModel inference(TransformerLM lm, Parallel pool) {
        try {
            return new LanguageModel(HfLayout.assemble(JspeedRunConfig.config(lm.spec()), new ParamSource(lm.paramBlocks())), pool);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(VOCAB);
        return t;
    }

    @Test
    void llamaPrefillEqualsTheTrainingModel() {
        prefillEqualsTrainingModel(llamaSpec());
    }

    @Test
    void gpt2PrefillEqualsTheTrainingModel() {
        prefillEqualsTrainingModel(gpt2Spec());
    }

    private static void prefillEqualsTrainingModel(ModelSpec spec) {
        TransformerLM lm = trained(spec);
        int[] t = tokens(SEQ, 11);
        float[] expected = lm.logits(t, 1, SEQ);
        LanguageModel model = inference(lm);
        float[] actual = Arrays.copyOf(model.forwardAll(model.newSequence(), t), SEQ * VOCAB);
        assertClose(actual, expected, 1e-4f);
    }

    @Test
    void llamaDecodeEqualsReforward() {
        decodeEqualsReforward(llamaSpec());
    }

    @Test
    void gpt2DecodeEqualsReforward() {
        decodeEqualsReforward(gpt2Spec());
    }

    /** Prefill 3 tokens, then decode one at a time: each step's logits equal a fresh full forward over the prefix. */
    private static void decodeEqualsReforward(ModelSpec spec) {
        LanguageModel model = inference(trained(spec));
        int[] t = tokens(SEQ, 5);
        SequenceState seq = model.newSequence();
        float[] step = Arrays.copyOf(model.forward(seq, Arrays.copyOf(t, 3)), VOCAB);
        for (int n = 3; n <= SEQ; n++) {
            float[] full = model.forwardAll(model.newSequence(), Arrays.copyOf(t, n));
            assertClose(step, Arrays.copyOfRange(full, (n - 1) * VOCAB, n * VOCAB), 1e-5f);
            if (n < SEQ) step = Arrays.copyOf(model.forward(seq, t[n]), VOCAB);
        }
        assertThat(seq.length()).isEqualTo(SEQ);
    }

    @Test
    void longPrefillSplitsAttentionAcrossThreadsAndGrowsTheCache() {
        // 150 rows of causal attention exceed the serial threshold; the cache grows past its first 64 positions
        ModelSpec spec = new ModelSpec(Family.LLAMA, VOCAB, 1, 4, 2, 32, 48, 160, 1e-5f, 10000f);
        TransformerLM lm = trained(spec);
        int[] t = tokens(150, 21);
        float[] expected = lm.logits(t, 1, t.length);
        LanguageModel model = inference(lm);
        assertClose(Arrays.copyOf(model.forwardAll(model.newSequence(), t), t.length * VOCAB), expected, 1e-4f);
        SequenceState seq = model.newSequence();
        float[] last = null;
        for (int token : t) last = model.decode(seq, token);
        assertClose(Arrays.copyOf(last, VOCAB), Arrays.copyOfRange(expected, (t.length - 1) * VOCAB, t.length * VOCAB), 1e-4f);
        // 64 -> 128 -> capped at the context length 160: keys and values, 1 layer, 2 KV heads of 8, fp32
        assertThat(seq.cache().bytes()).isEqualTo(2L * 1 * 160 * 2 * 8 * 4);
    }

    @Test
    void batchOfSequencesAtDifferentPositionsEqualsEachAlone() {
        LanguageModel model = inference(trained(llamaSpec()));
        int[][] prompts = {tokens(2, 1), tokens(5, 2), tokens(8, 3)};
        int[][] next = {tokens(1, 4), tokens(3, 5), tokens(1, 6)};
        List<SequenceState> batch = List.of(model.newSequence(), model.newSequence(), model.newSequence());
        float[][] expected = new float[3][];
        for (int s = 0; s < 3; s++) {
            SequenceState alone = model.newSequence();
            model.forward(alone, prompts[s]);
            expected[s] = Arrays.copyOf(model.forward(alone, next[s]), VOCAB);
        }
        model.forward(batch, prompts);
        float[] logits = model.forward(batch, next);
        for (int s = 0; s < 3; s++) {
            assertClose(Arrays.copyOfRange(logits, s * VOCAB, (s + 1) * VOCAB), expected[s], 1e-5f);
            assertThat(batch.get(s).length()).isEqualTo(prompts[s].length + next[s].length);
        }
    }

    @Test
    void reducedPrecisionCachesStayCloseToFp32() {
        LanguageModel model = inference(trained(llamaSpec()));
        int[] t = tokens(SEQ, 9);
        float[] exact = Arrays.copyOf(model.forward(model.newSequence(), t), VOCAB);
        for (KvCache.Precision p : new KvCache.Precision[] {KvCache.Precision.BF16, KvCache.Precision.INT8}) {
            SequenceState seq = model.newSequence(p);
            model.forward(seq, Arrays.copyOf(t, 4));
            float[] approx = null;
            for (int i = 4; i < SEQ; i++) approx = model.forward(seq, t[i]);
            assertClose(Arrays.copyOf(approx, VOCAB), exact, 2e-2f);
            assertThat(seq.cache().precision()).isEqualTo(p);
        }
    }

    @Test
    void bf16CacheOfBf16ExactValuesAttendsLikeFp32() {
        // keys and values already on the bf16 grid are stored exactly, so both caches must give the same attention
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        int kvHeads = 2, d = 40, group = 3, length = 37;
        KvCache exact = KvCache.create(KvCache.Precision.FP32, 1, kvHeads, d, 64), half = KvCache.create(KvCache.Precision.BF16, 1, kvHeads, d, 64);
        exact.reserve(length);
        half.reserve(length);
        float[] k = new float[kvHeads * d], v = new float[kvHeads * d];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < k.length; i++) {
                k[i] = Float.intBitsToFloat(Float.floatToRawIntBits((float) r.nextGaussian()) & 0xffff0000);
                v[i] = Float.intBitsToFloat(Float.floatToRawIntBits((float) r.nextGaussian()) & 0xffff0000);
            }
            exact.store(0, t, k, 0, v, 0);
            half.store(0, t, k, 0, v, 0);
        }
        float[] q = new float[group * d];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
        float[] a = new float[group * d], b = new float[group * d], scores = new float[group * length];
        exact.attend(0, 1, length, q, 0, group, 0.2f, a, 0, scores);
        half.attend(0, 1, length, q, 0, group, 0.2f, b, 0, scores);
        assertClose(b, a, 1e-6f);
    }

    @Test
    void pastTheContextLengthIsAClearError() {
        LanguageModel model = inference(trained(llamaSpec()));
        SequenceState seq = model.newSequence();
        model.forward(seq, tokens(SEQ, 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.forward(seq, 1))
                .hasMessageContaining("context length " + SEQ);
    }

    static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual).hasSameSizeAs(expected);
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++)
            assertThat(Math.abs(actual[i] - expected[i])).as("index %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(tol * Math.max(1, scale));
    }
}
