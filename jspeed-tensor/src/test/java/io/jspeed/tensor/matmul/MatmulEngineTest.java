package io.jspeed.tensor.matmul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.kernel.GemmBlocking;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MatmulEngineTest {

    private static final Parallel TWO = new Parallel(2);
    private static final Optional<DnnlLibrary> DNNL = DnnlLibrary.load(DnnlLibrary.DEFAULT_NAME);
    /**
     * bf16 keeps 8 significant bits, so rounding moves a value by at most 2^-8 of itself and a product of two
     * rounded values by at most 2^-7 + 2^-16 of |a||b|; the fp32 sums add far less than the 1% slack.
     */
    private static final double BF16_BOUND = Math.scalb(1.01, -7);
    private static final double FP32_BOUND = 1e-6;

    private static final int[][] SHAPES = {{1, 1, 1}, {17, 33, 5}, {65, 3, 129}, {3, 65, 129}, {33, 100, 300}, {130, 97, 70}};

    @AfterAll
    static void closePool() {
        TWO.close();
    }

    /** Runs every transpose, beta and odd shape, serially and on two threads, against {@code check}. */
    private static void everyCase(MatmulEngine e, boolean bf16Reference, double relative) {
        Random rnd = new Random(5);
        for (int[] s : SHAPES) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        MatmulCase cs = MatmulCase.random(rnd, ta, tb, s[0], s[1], s[2], beta, s[0] % 3);
                        cs.check(cs.run(e, Parallel.serial()), bf16Reference, relative, e.name() + " serial");
                        cs.check(cs.run(e, TWO), bf16Reference, relative, e.name() + " 2 threads");
                    }
                }
            }
        }
    }

    @Test
    void javaBf16IsTheFp32ProductOfRoundedOperandsAndWithinBf16BoundsOfFp32() {
        MatmulEngine e = new JavaBf16Matmul(GemmBlocking.TUNED);
        everyCase(e, true, FP32_BOUND);
        everyCase(e, false, BF16_BOUND);
    }

    @Test
    void javaBf16DiffersFromFp32WhenOperandsAreNotBf16Values() {
        // guards against an engine that silently skips the rounding: 1 + 2^-12 is not a bf16 value
        float[] a = {1f + 0x1p-12f}, b = {1f}, c = new float[1];
        new JavaBf16Matmul(GemmBlocking.TUNED).matmul(Parallel.serial(), false, false, 1, 1, 1, a, 0, 1, b, 0, 1, 0f, c, 0, 1);
        assertThat(c[0]).isEqualTo(1f);
    }

    @Test
    void dnnlBf16MatchesTheRoundedProductAndStaysWithinBf16BoundsOfFp32() {
        assumeTrue(DNNL.isPresent(), DnnlLibrary.missingNotice(DnnlLibrary.DEFAULT_NAME));
        try (DnnlBf16Matmul e = DnnlBf16Matmul.open(DNNL.get())) {
            assertThat(e.bf16()).isTrue();
            everyCase(e, true, FP32_BOUND);
            everyCase(e, false, BF16_BOUND);
            float[] a = {1f + 0x1p-12f}, b = {1f}, c = new float[1];
            e.matmul(Parallel.serial(), false, false, 1, 1, 1, a, 0, 1, b, 0, 1, 0f, c, 0, 1);
            assertThat(c[0]).as("operands rounded to bf16").isEqualTo(1f);
        }
    }

    @Test
    void dnnlFp32MatchesTheJavaGemmTightly() {
        assumeTrue(DNNL.isPresent(), DnnlLibrary.missingNotice(DnnlLibrary.DEFAULT_NAME));
        MatmulEngine e = new DnnlFp32Matmul(DNNL.get());
        everyCase(e, false, FP32_BOUND);
        Random rnd = new Random(9);
        MatmulCase cs = MatmulCase.random(rnd, false, true, 70, 90, 800, 0.5f, 4);
        float[] dnnl = cs.run(e, TWO), java = cs.run(new JavaFp32Matmul(GemmBlocking.TUNED), TWO);
        for (int i = 0; i < dnnl.length; i++) {
            assertThat(dnnl[i]).as("element %d", i).isCloseTo(java[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void dnnlFp32RefusesOperandsThatReachPastTheirArrays() {
        assumeTrue(DNNL.isPresent(), DnnlLibrary.missingNotice(DnnlLibrary.DEFAULT_NAME));
        MatmulEngine e = new DnnlFp32Matmul(DNNL.get());
        float[] a = new float[4 * 5], b = new float[5 * 6], c = new float[4 * 6];
        // lda 6 for rows of 5: the last row would end one float past A
        assertThatThrownBy(() -> e.matmul(Parallel.serial(), false, false, 4, 6, 5, a, 0, 6, b, 0, 6, 0f, c, 0, 6))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("A of 4x5");
        assertThatThrownBy(() -> e.matmul(Parallel.serial(), false, false, 4, 6, 5, a, 0, 5, b, 0, 6, 0f, c, 1, 6))
                .hasMessageContaining("C of 4x6 at offset 1");
        assertThatThrownBy(() -> e.matmul(Parallel.serial(), false, true, 4, 6, 5, a, 0, 5, b, 0, 4, 0f, c, 0, 6))
                .hasMessageContaining("leading dimension 4");
    }

    @Test
    void dnnlReusesItsCachedPrimitiveAcrossCallsWithNewOperands() {
        assumeTrue(DNNL.isPresent(), DnnlLibrary.missingNotice(DnnlLibrary.DEFAULT_NAME));
        try (DnnlBf16Matmul e = DnnlBf16Matmul.open(DNNL.get())) {
            Random rnd = new Random(13);
            for (int call = 0; call < 3; call++) {
                // same shape and transposes each time, different data and leading dimensions
                MatmulCase cs = MatmulCase.random(rnd, true, false, 40, 50, 60, call == 1 ? 0f : 1f, call);
                cs.check(cs.run(e, TWO), true, FP32_BOUND, "call " + call);
            }
            assertThat(e.implementation(TWO, true, false, 40, 50, 60)).isNotBlank();
        }
    }

    @Test
    void operandsLargeEnoughToBeStagedOnSeveralThreadsStillGiveTheRoundedProduct() {
        // A, B and C each over the size below which staging and merging stay on the caller
        java.util.List<MatmulEngine> engines = new java.util.ArrayList<>(java.util.List.of(new JavaBf16Matmul(GemmBlocking.TUNED)));
        DNNL.ifPresent(lib -> engines.add(DnnlBf16Matmul.open(lib)));
        Random rnd = new Random(23);
        for (MatmulEngine e : engines) {
            try (e) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        MatmulCase cs = MatmulCase.random(rnd, ta, tb, 300, 270, 260, ta ? 0.5f : 0f, 2);
                        cs.check(cs.run(e, TWO), true, FP32_BOUND, e.name() + " 2 threads");
                    }
                }
            }
        }
    }

    @Test
    void everyEngineGivesBitIdenticalResultsWhenCalledAgain() {
        // training resume and the per-host cache rely on it: same engine, shape and threads, same numbers
        java.util.List<MatmulEngine> engines = new java.util.ArrayList<>(java.util.List.of(
                new JavaFp32Matmul(GemmBlocking.TUNED), new JavaBf16Matmul(GemmBlocking.TUNED)));
        DNNL.ifPresent(lib -> {
            engines.add(new DnnlFp32Matmul(lib));
            engines.add(DnnlBf16Matmul.open(lib));
        });
        MatmulCase cs = MatmulCase.random(new Random(17), false, false, 96, 200, 900, 0f, 0);
        for (MatmulEngine e : engines) {
            try (e) {
                float[] first = cs.run(e, TWO);
                assertThat(cs.run(e, TWO)).as(e.name()).isEqualTo(first);
            }
        }
    }

    @Test
    void javaFp32IsTheGemmWithTheGivenBlocking() {
        everyCase(new JavaFp32Matmul(new GemmBlocking(64, 24, 64)), false, FP32_BOUND);
    }

    @Test
    void missingLibraryLoadsNothingAndTheNoticeSaysWhatToInstall() {
        assertThat(DnnlLibrary.load("libdnnl-not-installed.so.2")).isEmpty();
        assertThat(DnnlLibrary.missingNotice("libdnnl-not-installed.so.2"))
                .contains("libdnnl-not-installed.so.2").contains("apt-get install libdnnl2").doesNotContain("\n");
    }
}
