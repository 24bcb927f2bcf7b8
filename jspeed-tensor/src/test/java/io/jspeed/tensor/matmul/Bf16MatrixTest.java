package io.jspeed.tensor.matmul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.kernel.GemmBlocking;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Bf16MatrixTest {

    @Test
    void aPreconvertedWeightGivesExactlyTheProductOfTheFloatWeight() {
        List<MatmulEngine> engines = new ArrayList<>(List.of(new JavaBf16Matmul(GemmBlocking.TUNED)));
        DnnlLibrary.load(DnnlLibrary.DEFAULT_NAME).ifPresent(lib -> engines.add(DnnlBf16Matmul.open(lib)));
        Random rnd = new Random(21);
        try (Parallel two = new Parallel(2)) {
            for (MatmulEngine e : engines) {
                try (e) {
                    for (boolean ta : new boolean[] {false, true}) {
                        for (boolean tb : new boolean[] {false, true}) {
                            MatmulCase cs = MatmulCase.random(rnd, ta, tb, 37, 45, 70, 0.5f, 3);
                            int rows = tb ? cs.n() : cs.k(), cols = tb ? cs.k() : cs.n();
                            try (Bf16Matrix w = new Bf16Matrix(rows, cols)) {
                                w.update(two, cs.b(), cs.bOff(), cs.ldb());
                                float[] got = cs.c().clone();
                                e.matmul(two, ta, tb, cs.m(), cs.n(), cs.k(), cs.a(), cs.aOff(), cs.lda(), w, cs.beta(), got, cs.cOff(), cs.ldc());
                                assertThat(got).as("%s %s", e.name(), cs).isEqualTo(cs.run(e, two));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void misuseIsOneClearError() {
        try (Bf16Matrix w = new Bf16Matrix(4, 6)) {
            float[] a = new float[5 * 4], c = new float[5 * 6];
            MatmulEngine bf16 = new JavaBf16Matmul(GemmBlocking.TUNED);
            assertThatThrownBy(() -> bf16.matmul(Parallel.serial(), false, false, 5, 6, 3, a, 0, 3, w, 0f, c, 0, 6))
                    .hasMessageContaining("Bf16Matrix of 4x6").hasMessageContaining("needs 3x6");
            assertThatThrownBy(() -> new JavaFp32Matmul(GemmBlocking.TUNED)
                    .matmul(Parallel.serial(), false, false, 5, 6, 4, a, 0, 4, w, 0f, c, 0, 6))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("java-fp32");
            assertThatThrownBy(() -> w.update(Parallel.serial(), new float[23], 0, 6)).hasMessageContaining("does not fit an array of 23");
        }
    }
}
