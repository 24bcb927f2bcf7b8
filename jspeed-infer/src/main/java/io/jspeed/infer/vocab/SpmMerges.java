package io.jspeed.infer.vocab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece BPE scores and Hugging Face BPE merges describe the same merge order two ways. SentencePiece merges
 * the adjacent pair whose concatenation scores highest; Hugging Face applies the lowest-ranked merge. Hugging Face's
 * own converter (LlamaConverter) lists, piece by piece in descending score, every split of the piece into two
 * vocabulary pieces; so a piece's score is minus the rank of its first merge, and the merges follow from the scores.
 */
final class SpmMerges {

    private SpmMerges() {}

    /** Scores from merges: minus the first rank that makes each piece; pieces no merge makes rank below all of them. */
    static float[] scores(List<String> tokens, int[] types, List<String> merges, Map<String, Integer> vocab) {
        float[] scores = new float[tokens.size()];
        boolean[] set = new boolean[tokens.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int space = m.indexOf(' ');
            Integer id = space < 0 ? null : vocab.get(m.substring(0, space) + m.substring(space + 1));
            if (id != null && !set[id]) {
                scores[id] = -rank;
                set[id] = true;
            }
        }
        for (int id = 0; id < scores.length; id++)
            if (!set[id]) scores[id] = types[id] == Vocabulary.NORMAL ? -(float) merges.size() - id : 0;
        return scores;
    }

    /** Merges from scores: normal pieces by descending score (then id), each with its splits ordered by part ids. */
    static List<String[]> merges(Vocabulary v, Map<String, Integer> ids) {
        List<Integer> pieces = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) if (v.types()[id] == Vocabulary.NORMAL) pieces.add(id);
        float[] scores = v.scores();
        pieces.sort(Comparator.<Integer>comparingDouble(id -> -scores[id]).thenComparingInt(id -> id));
        List<String[]> out = new ArrayList<>();
        for (int id : pieces) {
            String piece = v.tokens().get(id);
            List<int[]> local = new ArrayList<>();
            for (int at = piece.offsetByCodePoints(0, Math.min(1, piece.length())); at < piece.length(); at = piece.offsetByCodePoints(at, 1)) {
                Integer l = normal(v, ids, piece.substring(0, at)), r = normal(v, ids, piece.substring(at));
                if (l != null && r != null) local.add(new int[] {l, r});
            }
            local.sort(Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
            for (int[] p : local) out.add(new String[] {v.tokens().get(p[0]), v.tokens().get(p[1])});
        }
        return out;
    }

    private static Integer normal(Vocabulary v, Map<String, Integer> ids, String piece) {
        Integer id = ids.get(piece);
        return id != null && v.types()[id] == Vocabulary.NORMAL ? id : null;
    }
}
