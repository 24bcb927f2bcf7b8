package io.jspeed.infer.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.kernel.GemmBlocking;
import io.jspeed.tensor.matmul.JavaBf16Matmul;
import io.jspeed.tensor.matmul.JavaFp32Matmul;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every ggml weight format's vectorized matvec and matmul against the scalar reference dequantizer
 * (GgmlQuant.dequantize, itself checked against gguf-py in jspeed-model) followed by a naive double-precision dot.
 */
class WeightMatrixTest {

    private static final Parallel TWO = new Parallel(2);
    private static final int[] ROWS = {1, 7, 67};

    @AfterAll
    static void close() {
        TWO.close();
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matvecAndMatmulMatchDequantizeThenNaiveDot(GgmlType type) {
        Random rng = new Random(type.ordinal());
        int[] colsChoices = type.blockSize() == 256 ? new int[] {256, 768} : type.blockSize() == 32 ? new int[] {32, 96, 544}
                : new int[] {1, 37, 96, 300};
        for (int rows : ROWS) {
            for (int cols : colsChoices) {
                MemorySegment data = RandomWeights.of(type, rows, cols, rng);
                WeightMatrix w = WeightFormats.of(type, rows, cols, data);
                assertThat(w.rows()).isEqualTo(rows);
                assertThat(w.cols()).isEqualTo(cols);
                assertThat(w.format()).isEqualTo(type.name());
                assertThat(w.bytes()).isEqualTo(data.byteSize());
                float[] dense = new float[rows * cols];
                GgmlQuant.dequantize(type, data, 0, dense, 0, rows * cols);
                checkAgainstDense(w, dense, rng);
            }
        }
    }

    @Test
    void groupwiseInt8AndInt4MatchTheirUnpackedValues() {
        Random rng = new Random(17);
        for (int bits : new int[] {8, 4}) {
            for (boolean f16 : new boolean[] {false, true}) {
                for (int group : new int[] {32, 128}) {
                    GroupwiseQuantizer quantizer = new GroupwiseQuantizer(bits, group, f16);
                    for (int rows : ROWS) {
                        int cols = 256;
                        float[] src = RandomWeights.gaussian(rows * cols, rng);
                        byte[] q = new byte[rows * quantizer.rowBytes(cols)];
                        float[] scales = new float[rows * cols / group];
                        for (int r = 0; r < rows; r++) {
                            quantizer.quantizeRow(src, r * cols, cols, q, r * quantizer.rowBytes(cols), scales, r * cols / group);
                        }
                        java.nio.ByteBuffer scaleBytes = java.nio.ByteBuffer.allocate(scales.length * (f16 ? 2 : 4))
                                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        for (float sc : scales) {
                            if (f16) {
                                scaleBytes.putShort(Float.floatToFloat16(sc));
                            } else {
                                scaleBytes.putFloat(sc);
                            }
                        }
                        float[] dense = new float[rows * cols];
                        for (int r = 0; r < rows; r++) {
                            for (int c = 0; c < cols; c++) {
                                int value;
                                if (bits == 8) {
                                    value = q[r * cols + c];
                                } else {
                                    int inGroup = c % group;
                                    int b = q[r * cols / 2 + c / group * group / 2 + inGroup % (group / 2)] & 0xFF;
                                    value = (inGroup < group / 2 ? b & 0xF : b >>> 4) - 8;
                                }
                                dense[r * cols + c] = value * scales[r * cols / group + c / group];
                            }
                        }
                        WeightMatrix w = bits == 8
                                ? WeightFormats.groupwiseInt8(rows, cols, group, RandomWeights.segment(q), RandomWeights.segment(scaleBytes.array()), f16)
                                : WeightFormats.groupwiseInt4(rows, cols, group, RandomWeights.segment(q), RandomWeights.segment(scaleBytes.array()), f16);
                        assertThat(w.format()).isEqualTo("INT" + bits + "_G" + group);
                        checkAgainstDense(w, dense, rng);
                    }
                }
            }
        }
    }

    /**
     * The matrix agrees with the dense fp32 matrix {@code dense} on matvec, matmul (batch 3), row(), decodeRows()
     * and, for a prefill-long batch, the GEMM over decoded panels (panels of 16 rows, so a 67-row matrix crosses
     * five of them).
     */
    static void checkAgainstDense(WeightMatrix w, float[] dense, Random rng) {
        // A pool of its own: WeightFormatsTest calls this too, possibly after this class's @AfterAll closed TWO.
        try (Parallel two = new Parallel(2)) {
            checkAgainstDense(w, dense, rng, two);
        }
    }

    private static void checkAgainstDense(WeightMatrix w, float[] dense, Random rng, Parallel two) {
        int rows = w.rows();
        int cols = w.cols();
        float[] decoded = new float[1 + rows * cols];
        w.decodeRows(0, rows, decoded, 1);
        for (int i = 0; i < rows * cols; i++) assertThat(decoded[1 + i]).as("decodeRows element %d", i).isEqualTo(dense[i]);
        int longBatch = PanelGemm.MIN_BATCH + 5;
        float[] xs = RandomWeights.gaussian(1 + longBatch * cols, rng);
        float[] viaGemm = new float[2 + longBatch * rows];
        new PanelGemm(new JavaFp32Matmul(GemmBlocking.TUNED), new JavaFp32Matmul(GemmBlocking.TUNED), 16 * cols).multiply(two, w, xs, 1, longBatch, viaGemm, 2);
        for (int b = 0; b < longBatch; b++) {
            for (int r = 0; r < rows; r++) {
                double expected = 0, magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) dense[r * cols + c] * xs[1 + b * cols + c];
                    expected += p;
                    magnitude += Math.abs(p);
                }
                assertThat((double) viaGemm[2 + b * rows + r]).as("%s panel GEMM b %d row %d", w, b, r)
                        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5 * magnitude + 1e-6));
            }
        }
        assertThat(viaGemm[0]).isZero();
        assertThat(viaGemm[1]).isZero();
        float[] row = new float[cols + 2];
        for (int r = 0; r < rows; r++) {
            w.row(r, row, 1);
            for (int c = 0; c < cols; c++) {
                assertThat(row[1 + c]).as("row %d col %d", r, c).isEqualTo(dense[r * cols + c]);
            }
        }
        int batch = 3;
        float[] x = RandomWeights.gaussian(2 + batch * cols, rng);
        for (Parallel pool : new Parallel[] {Parallel.serial(), two}) {
            float[] out = new float[3 + batch * rows];
            w.matvec(pool, x, 2, out, 3);
            float[] batched = new float[1 + batch * rows];
            w.matmul(pool, x, 2, batch, batched, 1);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) dense[r * cols + c] * x[2 + b * cols + c];
                        expected += p;
                        magnitude += Math.abs(p);
                    }
                    double tolerance = 1e-5 * magnitude + 1e-6;
                    if (b == 0) {
                        assertThat((double) out[3 + r]).as("%s matvec row %d", w, r).isCloseTo(expected, org.assertj.core.api.Assertions.within(tolerance));
                    }
                    assertThat((double) batched[1 + b * rows + r]).as("%s matmul b %d row %d", w, b, r)
                            .isCloseTo(expected, org.assertj.core.api.Assertions.within(tolerance));
                }
            }
            assertThat(out[0]).isZero();
            assertThat(batched[0]).isZero();
        }
    }

    @Test
    void panelGemmRoundsOnlyQuantizedWeightsToBf16() {
        Random rng = new Random(5);
        int rows = 40, cols = 96, batch = PanelGemm.MIN_BATCH;
        JavaFp32Matmul fp32 = new JavaFp32Matmul(GemmBlocking.TUNED);
        PanelGemm panels = new PanelGemm(fp32, new JavaBf16Matmul(GemmBlocking.TUNED));
        float[] x = RandomWeights.gaussian(batch * cols, rng);
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q4_0}) {
            WeightMatrix w = WeightFormats.of(type, rows, cols, RandomWeights.of(type, rows, cols, rng));
            float[] dense = new float[rows * cols];
            w.decodeRows(0, rows, dense, 0);
            float[] out = new float[batch * rows];
            panels.multiply(TWO, w, x, 0, batch, out, 0);
            double worstRelative = 0;
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0, magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        expected += (double) dense[r * cols + c] * x[b * cols + c];
                        magnitude += Math.abs((double) dense[r * cols + c] * x[b * cols + c]);
                    }
                    worstRelative = Math.max(worstRelative, Math.abs(out[b * rows + r] - expected) / magnitude);
                }
            }
            if (type == GgmlType.F32) assertThat(worstRelative).as("F32 weights stay on the fp32 engine").isLessThan(1e-5);
            // two bf16 roundings of 2^-9 each bound a product's error by about 2^-8 of its magnitude
            else assertThat(worstRelative).as("Q4_0 weights on the bf16 engine").isGreaterThan(1e-5).isLessThan(1.0 / 256);
        }
    }

    @Test
    void rejectsSizesThatDoNotMatch() {
        MemorySegment data = RandomWeights.of(GgmlType.Q8_0, 2, 64, new Random(1));
        assertThatThrownBy(() -> WeightFormats.of(GgmlType.Q8_0, 3, 64, data)).hasMessageContaining("expected " + 3 * 68);
        assertThatThrownBy(() -> WeightFormats.of(GgmlType.Q8_0, 2, 48, data)).hasMessageContaining("whole blocks of 32");
        MemorySegment scales = RandomWeights.segment(new byte[4 * 2]);
        assertThatThrownBy(() -> WeightFormats.groupwiseInt8(3, 64, 32, data, scales, false)).hasMessageContaining("GroupwiseInt8 [3, 64]");
        assertThatThrownBy(() -> WeightFormats.groupwiseInt8(1, 64, 32, data.asSlice(0, 64), scales.asSlice(0, 4), false))
                .hasMessageContaining("scales hold 4 bytes; expected 8");
        assertThatThrownBy(() -> WeightFormats.of(GgmlType.Q5_K, 1, 256, data)).hasMessageContaining("no weight format for ggml type Q5_K");
    }
}
