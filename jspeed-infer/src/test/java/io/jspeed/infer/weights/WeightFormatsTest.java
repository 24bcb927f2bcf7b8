package io.jspeed.infer.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.model.format.SafetensorsWriter;
import io.jspeed.model.format.gguf.GgmlQuant;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory picks the format from what a file says, reads the mapped bytes, and rejects what it cannot use. */
class WeightFormatsTest {

    @TempDir
    Path dir;

    @Test
    void everyGgmlTypeInAGgufFileBecomesItsMatrix() throws Exception {
        Random rng = new Random(5);
        GgufWriter writer = new GgufWriter();
        for (GgmlType type : WeightFormats.GGML_TYPES) {
            writer.addRaw("w." + type, type, new long[] {3, 256}, RandomWeights.of(type, 3, 256, rng));
        }
        writer.addRaw("w.Q5_K", GgmlType.Q5_K, new long[] {1, 256}, MemorySegment.ofArray(new byte[176]));
        Path file = dir.resolve("all.gguf");
        writer.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            for (GgmlType type : WeightFormats.GGML_TYPES) {
                WeightMatrix w = WeightFormats.of(f, "w." + type);
                assertThat(w.format()).isEqualTo(type.name());
                assertThat(w.rows()).isEqualTo(3);
                assertThat(w.cols()).isEqualTo(256);
                float[] expected = new float[3 * 256];
                GgmlQuant.dequantize(type, f.tensor("w." + type).data(), 0, expected, 0, expected.length);
                WeightMatrixTest.checkAgainstDense(w, expected, rng);
            }
            assertThatThrownBy(() -> WeightFormats.of(f, "w.Q5_K")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("tensor \"w.Q5_K\" is Q5_K, which jspeed cannot compute with");
            assertThatThrownBy(() -> WeightFormats.of(f, "w.q8_0")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("no tensor \"w.q8_0\"").hasMessageContaining("\"w.Q8_0\"");
        }
    }

    @Test
    void safetensorsPlainAndBrokenGroupedTensors() throws Exception {
        float[] data = RandomWeights.gaussian(4 * 64, new Random(2));
        Path file = dir.resolve("m.safetensors");
        new SafetensorsWriter().metadata(WeightFormats.QUANTIZATION_KEY, "int8")
                .addBf16("plain", new long[] {4, 64}, data, 0)
                .addFloats("vector", new long[] {64}, data, 0)
                .addSegment("q", DType.I8, new long[] {4, 64}, MemorySegment.ofArray(new byte[256]))
                .addFloats("q.scales", new long[] {4, 2}, data, 0)
                .addInts("ints", new long[] {4, 8}, new int[32], 0)
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            WeightMatrix plain = WeightFormats.of(f, "plain");
            assertThat(plain.format()).isEqualTo("BF16");
            WeightMatrixTest.checkAgainstDense(plain, f.floats("plain"), new Random(3));
            assertThatThrownBy(() -> WeightFormats.of(f, "vector")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("tensor \"vector\" has shape [64]; expected a 2-D weight matrix");
            assertThatThrownBy(() -> WeightFormats.of(f, "q")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("jspeed.group_size\" is missing");
            assertThatThrownBy(() -> WeightFormats.of(f, "ints")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("tensor \"ints\" is I32 without a \"ints.scales\" companion");
            assertThatThrownBy(() -> WeightFormats.of(f, "nope")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("no tensor \"nope\"");
        }
    }
}
