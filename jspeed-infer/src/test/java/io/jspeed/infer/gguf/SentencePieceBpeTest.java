package io.jspeed.infer.gguf;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SentencePieceBpeTest {

    /** Special tokens, 256 byte tokens, then the given pieces with the given scores. */
    private static SentencePieceBpe vocab(List<String> pieces, List<Float> pieceScores) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        tokens.addAll(pieces);
        for (int i = 0; i < pieces.size(); i++) types.add(1);
        float[] scores = new float[tokens.size()];
        for (int i = 0; i < pieceScores.size(); i++) scores[259 + i] = pieceScores.get(i);
        return new SentencePieceBpe(tokens.toArray(String[]::new), scores, types.stream().mapToInt(Integer::intValue).toArray(), 0, true);
    }

    @Test
    void highestScoringPairMergesFirst() {
        // ids: ▁=259 a=260 b=261 c=262 ▁a=263 ab=264 ▁ab=265 bc=266
        SentencePieceBpe t = vocab(List.of("▁", "a", "b", "c", "▁a", "ab", "▁ab", "bc"), List.of(-9f, -9f, -9f, -9f, -2f, -1f, -3f, -0.5f));
        // "▁abc": bc (-0.5) first, then ▁a (-2); "▁abc" and "abc" are not pieces
        assertThat(t.encode("abc")).containsExactly(263, 266);
        SentencePieceBpe noBc = vocab(List.of("▁", "a", "b", "c", "▁a", "ab", "▁ab"), List.of(-9f, -9f, -9f, -9f, -2f, -1f, -3f));
        // ab (-1) beats ▁a (-2); then ▁ + ab -> ▁ab
        assertThat(noBc.encode("abc")).containsExactly(265, 262);
    }

    @Test
    void uncoveredCharactersFallBackToByteTokensAndDecodeBack() {
        SentencePieceBpe t = vocab(List.of("▁", "a"), List.of(-1f, -1f));
        // é = C3 A9 -> byte ids 3 + 0xC3, 3 + 0xA9
        assertThat(t.encode("aé")).containsExactly(259, 260, 3 + 0xC3, 3 + 0xA9);
        assertThat(t.decode(t.encode("aé a"))).isEqualTo(" aé a");
        assertThat(t.tokenBytes(1)).isEmpty();
        assertThat(t.tokenBytes(3 + 0x41)).containsExactly((byte) 0x41);
    }

    @Test
    void storiesVocabularyMatchesLlamaTokenize() {
        // the synthetic vocabulary of make_stories_gguf.py; llama-tokenize -p "Once" gives 1, 229, 153, 132, 82, 113, 102, 104
        List<String> pieces = new ArrayList<>();
        for (int j = 0; j < 32000 - 259; j++) {
            StringBuilder s = new StringBuilder("▁");
            for (int k = 0; k < 1 + j % 6; k++) s.append((char) ('a' + (j * 7 + k) % 26));
            pieces.add(s.append(j).toString());
        }
        List<Float> scores = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) scores.add((float) -(i + 259));
        assertThat(vocab(pieces, scores).encode("Once")).containsExactly(229, 153, 132, 82, 113, 102, 104);
    }
}
