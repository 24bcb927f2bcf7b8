package io.jspeed.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.tensor.BF16;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reads types.gguf, written by llama.cpp's gguf-py (see make_fixtures.py beside it): the reader must see gguf-py's
 * metadata and tensors, the scalar dequantizers must reproduce gguf-py's dequantization exactly, and the
 * quantizers must produce gguf-py's (= ggml reference) bytes exactly.
 */
class GgufGgmlPyFixtureTest {

    static Path fixture() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(GgufGgmlPyFixtureTest.class.getResource("/gguf/types.gguf")).toURI());
    }

    @Test
    void readsEveryMetadataTypeGgufPyWrote() throws Exception {
        try (GgufFile f = GgufFile.open(fixture())) {
            GgufMetadata m = f.metadata();
            assertThat(f.version()).isEqualTo(3);
            assertThat(m.string("general.architecture")).isEqualTo("llama");
            assertThat(m.value("t.u8").orElseThrow()).isEqualTo(GgufValue.uint8(200));
            assertThat(m.value("t.i8").orElseThrow()).isEqualTo(GgufValue.int8(-100));
            assertThat(m.value("t.u16").orElseThrow()).isEqualTo(GgufValue.uint16(60000));
            assertThat(m.value("t.i16").orElseThrow()).isEqualTo(GgufValue.int16(-30000));
            assertThat(m.value("t.u32").orElseThrow()).isEqualTo(GgufValue.uint32(4_000_000_000L));
            assertThat(m.value("t.i32").orElseThrow()).isEqualTo(GgufValue.int32(-2_000_000_000));
            assertThat(m.value("t.f32").orElseThrow()).isEqualTo(GgufValue.float32(0.25f));
            assertThat(m.bool("t.bool")).isTrue();
            assertThat(m.string("t.str")).isEqualTo("héllo ▁world");
            assertThat(m.value("t.u64").orElseThrow()).isEqualTo(GgufValue.uint64(Long.MIN_VALUE + 5));
            assertThat(m.integer("t.i64")).isEqualTo(-(1L << 62));
            assertThat(m.value("t.f64").orElseThrow()).isEqualTo(GgufValue.float64(1.0 / 3.0));
            assertThat(m.strings("tokenizer.ggml.tokens")).containsExactly("<unk>", "<s>", "</s>", "▁the", "é");
            assertThat(m.float32s("tokenizer.ggml.scores")).containsExactly(0f, -1f, -2f, -3.5f, -4f);
            assertThat(m.int32s("tokenizer.ggml.token_type")).containsExactly(2, 3, 3, 1, 1);
            assertThat(m.value("a.bools").orElseThrow()).isEqualTo(GgufValue.bools(new boolean[] {true, false}));
            assertThat(m.value("a.nested").orElseThrow()).isEqualTo(GgufValue.arrays(java.util.List.of(
                    GgufValue.int32s(new int[] {1, 2}), GgufValue.int32s(new int[] {3}))));
            assertThat(f.tensors()).hasSize(15);
            GgufTensor q4k = f.tensor("w.Q4_K");
            assertThat(q4k.type()).isEqualTo(GgmlType.Q4_K);
            assertThat(q4k.shape()).containsExactly(3, 256);
            assertThat(q4k.byteSize()).isEqualTo(3 * 144);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void dequantizeReproducesGgufPy(GgmlType type) throws Exception {
        try (GgufFile f = GgufFile.open(fixture())) {
            GgufTensor w = f.tensor("w." + type.name());
            assertThat(w.type()).isEqualTo(type);
            float[] ours = new float[3 * 256];
            GgmlQuant.dequantize(type, w.data(), 0, ours, 0, ours.length);
            assertThat(ours).containsExactly(floats(f.tensor("ref." + type.name())));
        }
    }

    @Test
    void quantizersReproduceGgufPyBytes() throws Exception {
        try (GgufFile f = GgufFile.open(fixture())) {
            float[] src = floats(f.tensor("src"));
            byte[] q8 = new byte[(int) GgmlType.Q8_0.byteSize(src.length)];
            GgmlQuant.quantizeQ8_0(src, 0, src.length, q8, 0);
            assertThat(q8).containsExactly(bytes(f.tensor("w.Q8_0")));
            byte[] q4 = new byte[(int) GgmlType.Q4_0.byteSize(src.length)];
            GgmlQuant.quantizeQ4_0(src, 0, src.length, q4, 0);
            assertThat(q4).containsExactly(bytes(f.tensor("w.Q4_0")));
            ByteBuffer f16 = ByteBuffer.wrap(bytes(f.tensor("w.F16"))).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer bf16 = ByteBuffer.wrap(bytes(f.tensor("w.BF16"))).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < src.length; i++) {
                assertThat(f16.getShort(2 * i)).isEqualTo(Float.floatToFloat16(src[i]));
                assertThat(bf16.getShort(2 * i)).isEqualTo(BF16.fromFloat(src[i]));
            }
        }
    }

    private static float[] floats(GgufTensor t) {
        return t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    private static byte[] bytes(GgufTensor t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }
}
