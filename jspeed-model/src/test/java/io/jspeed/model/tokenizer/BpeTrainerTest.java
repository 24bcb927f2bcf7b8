package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

    @Test
    void learnsTheMergesAHandCountPredicts() {
        // Pre-tokens "aaab" and " aaab". Counts: (a,a)=4 (a,b)=2 (' ',a)=1 -> "aa"; then (aa,a)=2 ties (a,b)=2 and
        // the smaller ids (97,98) win -> "ab"; then (aa,ab)=2 -> "aaab"; then (' ',aaab)=1 -> " aaab"; nothing left.
        BpeTokenizer bpe = BpeTokenizer.train(List.of("aaab aaab"), 300);
        assertThat(mergesOf(bpe)).containsExactly("a a", "a b", "aa ab", "Ġ aaab");
        assertThat(bpe.vocabSize()).isEqualTo(260);
        assertThat(new String(bpe.tokenBytes(259), StandardCharsets.UTF_8)).isEqualTo(" aaab");
        assertThat(bpe.encode("aaab aaab")).containsExactly(258, 259);
        assertThat(bpe.encode("aaaa")).containsExactly(256, 256);
        assertThat(bpe.encode("ab a")).containsExactly(257, ' ', 'a');
    }

    @Test
    void stopsAtTheRequestedVocabSize() {
        BpeTokenizer bpe = BpeTokenizer.train(List.of("aaab aaab"), 258);
        assertThat(mergesOf(bpe)).containsExactly("a a", "a b");
        assertThat(bpe.vocabSize()).isEqualTo(258);
        assertThat(BpeTokenizer.train(List.of("aaab"), 256).vocabSize()).isEqualTo(256);
    }

    @Test
    void tokenIdsStartWithTheBytes() {
        BpeTokenizer bpe = BpeTokenizer.train(List.of("hello hello"), 260);
        for (int b = 0; b < 256; b++) assertThat(bpe.tokenBytes(b)).containsExactly((byte) b);
    }

    @Test
    void matchesANaiveTrainerOnRandomCorpora() {
        Random random = new Random(5);
        String[] pieces = {"a", "b", "c", "ab", " ", "  ", "\n", "é", "1", "'s", ".", "aa", "ba"};
        for (int trial = 0; trial < 40; trial++) {
            List<String> texts = new ArrayList<>();
            for (int t = 0; t < 1 + random.nextInt(4); t++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < random.nextInt(200); i++) sb.append(pieces[random.nextInt(pieces.length)]);
                texts.add(sb.toString());
            }
            int vocab = 256 + random.nextInt(60);
            BpeTokenizer fast = BpeTokenizer.train(texts, vocab);
            NaiveResult naive = naiveTrain(texts, vocab);
            assertThat(mergesOf(fast)).as("trial %d", trial).isEqualTo(naive.merges);
            assertThat(fast.vocabSize()).isEqualTo(naive.tokens.size());
        }
    }

    @Test
    void trainingIsDeterministicAndIndependentOfTextOrder() {
        List<String> texts = new ArrayList<>();
        Random random = new Random(9);
        for (int i = 0; i < 50; i++) {
            texts.add("int value" + random.nextInt(100) + " = compute(x, y);\n    return value * " + i + ";\n");
        }
        String first = BpeTokenizer.train(texts, 400).toJson();
        String second = BpeTokenizer.train(texts, 400).toJson();
        Collections.shuffle(texts, random);
        String shuffled = BpeTokenizer.train(texts, 400).toJson();
        assertThat(second).isEqualTo(first);
        assertThat(shuffled).isEqualTo(first);
    }

    @Test
    void rejectsVocabSizesOutOfRange() {
        assertThatThrownBy(() -> BpeTokenizer.train(List.of("x"), 255))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> BpeTokenizer.train(List.of("x"), 1 << 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    }

    static List<String> mergesOf(BpeTokenizer bpe) {
        MergeTable table = bpe.merges();
        List<String> merges = new ArrayList<>();
        for (int r = 0; r < table.size(); r++) {
            merges.add(ByteLevelAlphabet.encode(bpe.tokenBytes(table.left(r))) + " "
                    + ByteLevelAlphabet.encode(bpe.tokenBytes(table.right(r))));
        }
        return merges;
    }

    private record NaiveResult(List<String> merges, List<byte[]> tokens) {}

    /** Recounts every pair from scratch each round: slow, obviously right, same tie rule (smaller ids win). */
    private static NaiveResult naiveTrain(List<String> texts, int vocab) {
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (String t : texts) for (String p : Gpt2PreTokenizer.split(t)) counts.merge(p, 1, Integer::sum);
        List<int[]> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        for (var e : counts.entrySet()) {
            byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length];
            for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
            words.add(ids);
            freq.add(e.getValue());
        }
        List<byte[]> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(new byte[] {(byte) b});
        List<String> merges = new ArrayList<>();
        while (tokens.size() < vocab) {
            TreeMap<Long, Long> pairCounts = new TreeMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                for (int i = 0; i + 1 < s.length; i++) pairCounts.merge((long) s[i] << 16 | s[i + 1], (long) freq.get(w), Long::sum);
            }
            long bestKey = -1, bestCount = 0;
            for (var e : pairCounts.entrySet()) {
                if (e.getValue() > bestCount) {
                    bestCount = e.getValue();
                    bestKey = e.getKey();
                }
            }
            if (bestKey < 0) break;
            int a = (int) (bestKey >>> 16), b = (int) (bestKey & 0xFFFF);
            byte[] joined = BpeTokenizer.concat(tokens.get(a), tokens.get(b));
            int z = -1;
            for (int id = 0; id < tokens.size(); id++) if (Arrays.equals(tokens.get(id), joined)) z = id;
            if (z < 0) {
                z = tokens.size();
                tokens.add(joined);
            }
            merges.add(ByteLevelAlphabet.encode(tokens.get(a)) + " " + ByteLevelAlphabet.encode(tokens.get(b)));
            for (int w = 0; w < words.size(); w++) {
                int[] s = words.get(w);
                int[] out = new int[s.length];
                int n = 0;
                for (int i = 0; i < s.length; ) {
                    if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                        out[n++] = z;
                        i += 2;
                    } else {
                        out[n++] = s[i++];
                    }
                }
                words.set(w, Arrays.copyOf(out, n));
            }
        }
        return new NaiveResult(merges, tokens);
    }
}
