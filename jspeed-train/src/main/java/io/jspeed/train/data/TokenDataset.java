package io.jspeed.train.data;

import io.jspeed.model.tokenizer.BpeTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The corpus as two token streams, train and eval, split by whole documents after a seeded shuffle
 * (so the held-out split is a fair sample, not the last package alphabetically).
 */
public record TokenDataset(int[] train, int[] eval, long checksum) {

    /** Bytes of training text the BPE trainer sees: enough for stable merges, small enough to train in seconds. */
    public static final int BPE_SAMPLE_BYTES = 6 << 20;

    /** Shuffles and splits documents: the eval documents first, then the train documents. */
    public static List<List<TextCorpus.Document>> split(List<TextCorpus.Document> docs, double evalFraction, long seed) {
        List<TextCorpus.Document> shuffled = new ArrayList<>(docs);
        Collections.shuffle(shuffled, new Random(seed));
        int evalCount = docs.size() < 2 ? 0 : Math.max(1, (int) Math.round(docs.size() * evalFraction));
        return List.of(shuffled.subList(0, evalCount), shuffled.subList(evalCount, shuffled.size()));
    }

    /** Trains a byte-level BPE vocabulary on a prefix of the (already shuffled) training documents. */
    public static BpeTokenizer trainBpe(List<TextCorpus.Document> trainDocs, int vocabSize) {
        List<String> sample = new ArrayList<>();
        long bytes = 0;
        for (TextCorpus.Document d : trainDocs) {
            if (bytes >= BPE_SAMPLE_BYTES) break;
            sample.add(d.text());
            bytes += d.text().length();
        }
        return BpeTokenizer.train(sample, vocabSize);
    }

    public static TokenDataset encode(List<TextCorpus.Document> evalDocs, List<TextCorpus.Document> trainDocs,
                                      Tokenizer tokenizer, Parallel pool) {
        int[] eval = encodeAll(evalDocs, tokenizer, pool);
        int[] train = encodeAll(trainDocs, tokenizer, pool);
        // The dataset one trains on, by content: resume checks it against the checkpoint.
        long h = 1125899906842597L;
        for (int t : train) h = 31 * h + t;
        for (int t : eval) h = 31 * h + t;
        return new TokenDataset(train, eval, h);
    }

    private static int[] encodeAll(List<TextCorpus.Document> docs, Tokenizer tokenizer, Parallel pool) {
        int[][] parts = new int[docs.size()][];
        pool.forChunks(docs.size(), Math.max(1, docs.size() / 8), (start, end) -> {
            for (int i = start; i < end; i++) parts[i] = tokenizer.encode(docs.get(i).text());
        });
        int total = 0;
        for (int[] p : parts) total += p.length;
        int[] all = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
