package io.jspeed.model.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reads files PyTorch wrote, so the reader is checked against a writer we did not write. */
class SafetensorsGoldenTest {

    @Test
    void readsGpt2TinyWeights() throws IOException {
        Path file = Golden.dir().resolve("gpt2-tiny/model.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            System.out.println("gpt2-tiny tensors: " + st.tensors().stream().map(TensorInfo::name).toList());
            assertThat(st.tensors()).hasSize(28);
            assertThat(st.metadata()).isEmpty();
            TensorInfo wte = st.info("transformer.wte.weight");
            assertThat(wte.dtype()).isEqualTo(DType.F32);
            assertThat(wte.shape()).containsExactly(64, 32);
            assertThat(st.info("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(32, 96);

            float[] values = st.floats("transformer.wte.weight");
            assertThat(values).hasSize(64 * 32);
            // Values printed by Python's struct module from the same bytes.
            assertThat(values[0]).isEqualTo(-0.01117185689508915f);
            assertThat(values[1]).isEqualTo(-0.04965901002287865f);
            assertThat(values[values.length - 1]).isEqualTo(-0.07246082276105881f);
            double sum = 0;
            for (float v : values) {
                sum += v;
            }
            assertThat(sum).isCloseTo(-8.94819679975626, org.assertj.core.data.Offset.offset(1e-9));

            // An independent decode of the raw file bytes must agree with the mapped read for every tensor.
            ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            long dataStart = 8 + raw.getLong(0);
            long covered = 0;
            for (TensorInfo t : st.tensors()) {
                float[] mapped = st.floats(t.name());
                for (int i = 0; i < mapped.length; i++) {
                    assertThat(mapped[i]).isEqualTo(raw.getFloat((int) (dataStart + t.byteOffset()) + 4 * i));
                }
                covered += t.byteLength();
            }
            assertThat(dataStart + covered).isEqualTo(Files.size(file));
        }
    }

    @Test
    void readsGpt2TinyBatchAsInts() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(Golden.dir().resolve("gpt2-tiny/batch.safetensors"))) {
            assertThat(st.tensors()).extracting(TensorInfo::name).containsExactly("input_ids", "targets");
            assertThat(st.info("input_ids").dtype()).isEqualTo(DType.I32);
            assertThat(st.info("input_ids").shape()).containsExactly(2, 8);
            int[] ids = st.ints("input_ids");
            int[] targets = st.ints("targets");
            assertThat(ids).startsWith(50, 5, 42, 23, 26, 31, 38, 27);
            // targets are the next tokens: within each row they are the inputs shifted by one.
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 7; t++) {
                    assertThat(targets[b * 8 + t]).isEqualTo(ids[b * 8 + t + 1]);
                }
            }
            assertThat(java.util.Arrays.stream(ids).allMatch(i -> i >= 0 && i < 64)).isTrue();
        }
    }

    @Test
    void readsLlamaTinyAndRewritesItIdentically() throws IOException {
        Path file = Golden.dir().resolve("llama-tiny/model.safetensors");
        Path copy = Files.createTempDirectory("jspeed-golden").resolve("copy.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.info("model.embed_tokens.weight").shape()).containsExactly(64, 32);
            assertThat(st.info("model.layers.0.self_attn.k_proj.weight").shape()).containsExactly(16, 32);
            SafetensorsWriter writer = new SafetensorsWriter();
            for (TensorInfo t : st.tensors()) {
                writer.addFloats(t.name(), t.shape(), st.floats(t.name()), 0);
            }
            writer.write(copy);
            try (SafetensorsFile back = SafetensorsFile.open(copy)) {
                assertThat(back.tensors()).isEqualTo(st.tensors());
                for (TensorInfo t : st.tensors()) {
                    assertThat(back.segment(t.name()).asByteBuffer()).isEqualTo(st.segment(t.name()).asByteBuffer());
                }
            }
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(copy.getParent());
        }
    }
}
