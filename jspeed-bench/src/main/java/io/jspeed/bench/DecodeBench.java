package io.jspeed.bench;

import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.infer.runtime.SequenceState;
import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.matmul.MatmulEngine;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * llama-bench's two figures for a model: tg (decode n tokens one at a time from an empty context) and pp (one prompt of
 * n tokens), random token ids, averaged over repetitions after a warm-up; plus the weight bytes one decoded token
 * streams and the bandwidth that implies.
 */
public final class DecodeBench {

    public record Result(String model, String format, int threads, int prefillTokens, int decodeTokens, double prefillTokensPerS,
                         double decodeTokensPerS, long bytesPerToken, double dramGbps) {

        /** Weight bandwidth decode reached, GB/s. */
        public double gbps() {
            return bytesPerToken * decodeTokensPerS / 1e9;
        }

        public String toJson() {
            return String.format(Locale.ROOT, "{\"bench\":\"decode\",\"model\":\"%s\",\"format\":\"%s\",\"threads\":%d,\"decode_tokens\":%d,"
                            + "\"prefill_tokens\":%d,\"decode_tokens_per_s\":%.2f,\"prefill_tokens_per_s\":%.2f,\"bytes_per_token\":%d,"
                            + "\"gbps\":%.2f,\"dram_gbps\":%.2f,\"cpu\":\"%s\"}", escape(model), format, threads, decodeTokens,
                    prefillTokens, decodeTokensPerS, prefillTokensPerS, bytesPerToken, gbps(), dramGbps, escape(HostCaches.cpuModel()));
        }

        private static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    private DecodeBench() {}

    public static Result run(String name, LoadedModel loaded, Parallel pool, MatmulEngine exactGemm, MatmulEngine coarseGemm, int prefillTokens,
            int decodeTokens, int repetitions, double dramGbps) {
        LanguageModel lm = new LanguageModel(loaded.weights(), pool, exactGemm, coarseGemm);
        int vocab = lm.config().vocabSize(), context = lm.config().contextLength();
        if (prefillTokens > context || decodeTokens + 1 > context)
            throw new IllegalArgumentException("the model's context length " + context + " is shorter than pp" + prefillTokens + " / tg" + decodeTokens);
        SplittableRandom random = new SplittableRandom(1234);
        int[] prompt = random.ints(prefillTokens, 0, vocab).toArray();
        SequenceState seq = lm.newSequence();
        // warm-up: JIT, page-in of the mapped weights, KV cache and workspace growth to full size
        lm.forward(seq, prompt);
        seq.truncate(0);
        decode(lm, seq, decodeTokens, random, vocab); // a whole untimed tg run, so C2 has compiled every per-token path
        double pp = 0, tg = 0;
        for (int rep = 0; rep < repetitions; rep++) {
            seq.truncate(0);
            long t0 = System.nanoTime();
            lm.forward(seq, prompt);
            pp += prefillTokens / ((System.nanoTime() - t0) * 1e-9);
            seq.truncate(0);
            t0 = System.nanoTime();
            decode(lm, seq, decodeTokens, random, vocab);
            tg += decodeTokens / ((System.nanoTime() - t0) * 1e-9);
        }
        return new Result(name, loaded.format(), pool.threads(), prefillTokens, decodeTokens, pp / repetitions, tg / repetitions,
                loaded.weights().bytesPerToken(), dramGbps);
    }

    private static void decode(LanguageModel lm, SequenceState seq, int n, SplittableRandom random, int vocab) {
        for (int i = 0; i < n; i++) lm.decode(seq, random.nextInt(vocab));
    }
}
