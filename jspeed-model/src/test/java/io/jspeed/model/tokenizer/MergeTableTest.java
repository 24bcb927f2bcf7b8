package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MergeTableTest {

    @Test
    void lowestRankMergesFirstAndTiesGoLeft() {
        // ids: a=0 b=1; rank 0: a a -> 2 (aa); rank 1: a b -> 3 (ab); rank 2: aa ab -> 4
        MergeTable table = new MergeTable(new int[] {0, 0, 2}, new int[] {0, 1, 3}, new int[] {2, 3, 4});
        assertThat(merged(table, 0, 0, 0, 1)).containsExactly(4);    // a a a b -> aa a b -> aa ab -> aaab
        assertThat(merged(table, 0, 0, 0)).containsExactly(2, 0);    // leftmost a a first
        assertThat(merged(table, 1, 0, 1, 1)).containsExactly(1, 3, 1);
    }

    @Test
    void heapAndRescanAgreeOnRandomTables() {
        Random random = new Random(3);
        for (int trial = 0; trial < 300; trial++) {
            int base = 2 + random.nextInt(4);
            int mergeCount = random.nextInt(30);
            int[] left = new int[mergeCount], right = new int[mergeCount], result = new int[mergeCount];
            for (int r = 0; r < mergeCount; r++) {
                left[r] = random.nextInt(base + r);
                right[r] = random.nextInt(base + r);
                result[r] = base + r;
            }
            MergeTable table = new MergeTable(left, right, result);
            for (int s = 0; s < 20; s++) {
                int[] ids = new int[random.nextInt(200)];
                for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(base);
                int[] a = ids.clone(), b = ids.clone();
                int na = table.applyByRescan(a, a.length);
                int nb = table.applyByHeap(b, b.length);
                assertThat(Arrays.copyOf(b, nb)).isEqualTo(Arrays.copyOf(a, na));
            }
        }
    }

    private static int[] merged(MergeTable table, int... ids) {
        int[] copy = ids.clone();
        int[] byHeap = ids.clone();
        int n = table.applyByRescan(copy, copy.length);
        int m = table.applyByHeap(byHeap, byHeap.length);
        assertThat(Arrays.copyOf(byHeap, m)).isEqualTo(Arrays.copyOf(copy, n));
        return Arrays.copyOf(copy, n);
    }
}
