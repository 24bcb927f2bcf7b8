package io.jspeed.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whatever GgufWriter writes, GgufFile reads back: every metadata type, every encodable tensor type. */
class GgufRoundTripTest {

    @TempDir
    Path dir;

    static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("t.u8", GgufValue.uint8(255));
        kv.put("t.i8", GgufValue.int8(-128));
        kv.put("t.u16", GgufValue.uint16(65535));
        kv.put("t.i16", GgufValue.int16(-32768));
        kv.put("t.u32", GgufValue.uint32(0xFFFF_FFFFL));
        kv.put("t.i32", GgufValue.int32(Integer.MIN_VALUE));
        kv.put("t.f32", GgufValue.float32(-1.5e-3f));
        kv.put("t.bool", GgufValue.bool(true));
        kv.put("t.str", GgufValue.string("héllo ▁world 🦙"));
        kv.put("t.u64", GgufValue.uint64(-1L));
        kv.put("t.i64", GgufValue.int64(Long.MIN_VALUE));
        kv.put("t.f64", GgufValue.float64(Math.PI));
        kv.put("t.empty", GgufValue.string(""));
        kv.put("tokenizer.ggml.tokens", GgufValue.strings(List.of("<s>", "</s>", "▁the", "", "é")));
        kv.put("tokenizer.ggml.scores", GgufValue.float32s(new float[] {0f, -1f, -2.5f, Float.NEGATIVE_INFINITY, 3f}));
        kv.put("tokenizer.ggml.token_type", GgufValue.int32s(new int[] {3, 3, 1, 1, 1}));
        kv.put("a.u8s", GgufValue.integers(GgufValueType.UINT8, new long[] {0, 1, 255}));
        kv.put("a.i16s", GgufValue.integers(GgufValueType.INT16, new long[] {-32768, 7}));
        kv.put("a.u64s", GgufValue.integers(GgufValueType.UINT64, new long[] {-1L, 0}));
        kv.put("a.f64s", GgufValue.float64s(new double[] {1e300, -0.0}));
        kv.put("a.bools", GgufValue.bools(new boolean[] {true, false, true}));
        kv.put("a.empty", GgufValue.strings(List.of()));
        kv.put("a.nested", GgufValue.arrays(List.of(GgufValue.int32s(new int[] {1, 2}), GgufValue.strings(List.of("x")))));
        return kv;
    }

    @Test
    void metadataOfEveryTypeSurvivesWriteAndRead() throws Exception {
        GgufWriter writer = new GgufWriter();
        everyValueType().forEach(writer::put);
        Path file = dir.resolve("meta.gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.metadata().asMap()).containsExactlyEntriesOf(everyValueType());
            assertThat(gguf.tensors()).isEmpty();
            GgufMetadata m = gguf.metadata();
            assertThat(m.strings("tokenizer.ggml.tokens")).containsExactly("<s>", "</s>", "▁the", "", "é");
            assertThat(m.float32s("tokenizer.ggml.scores")).containsExactly(0f, -1f, -2.5f, Float.NEGATIVE_INFINITY, 3f);
            assertThat(m.int32s("tokenizer.ggml.token_type")).containsExactly(3, 3, 1, 1, 1);
            assertThat(m.int32("t.u16")).isEqualTo(65535);
            assertThat(m.integer("t.u32")).isEqualTo(0xFFFF_FFFFL);
            assertThat(m.float32("t.f64")).isEqualTo((float) Math.PI);
            assertThat(m.string("t.str")).isEqualTo("héllo ▁world 🦙");
            assertThat(m.bool("t.bool")).isTrue();
            assertThat(m.optInt32("missing")).isEmpty();
        }
    }

    @Test
    void tensorsOfEveryEncodableTypeSurviveWithTheirShapesAndAlignment() throws Exception {
        Random rng = new Random(3);
        float[] a = new float[3 * 64];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        byte[] raw = new byte[2 * 2 * 144];
        rng.nextBytes(raw);
        MemorySegment rawSeg = Arena.ofAuto().allocate(raw.length);
        MemorySegment.copy(raw, 0, rawSeg, ValueLayout.JAVA_BYTE, 0, raw.length);
        for (int alignment : new int[] {32, 64}) {
            Path file = dir.resolve("t" + alignment + ".gguf");
            new GgufWriter().alignment(alignment).putString("general.architecture", "llama")
                    .add("f32", GgmlType.F32, new long[] {3, 64}, a, 0)
                    .add("f16", GgmlType.F16, new long[] {5}, a, 1)
                    .add("q8", GgmlType.Q8_0, new long[] {3, 64}, a, 0)
                    .add("q4", GgmlType.Q4_0, new long[] {3, 2, 32}, a, 0)
                    .addRaw("q4k", GgmlType.Q4_K, new long[] {2, 512}, rawSeg)
                    .write(file);
            try (GgufFile gguf = GgufFile.open(file)) {
                assertThat(gguf.alignment()).isEqualTo(alignment);
                assertThat(gguf.tensors()).extracting(GgufTensor::name).containsExactly("f32", "f16", "q8", "q4", "q4k");
                for (GgufTensor t : gguf.tensors()) {
                    assertThat(t.fileOffset() % alignment).as(t.name()).isZero();
                }
                GgufTensor f32 = gguf.tensor("f32");
                assertThat(f32.dims()).containsExactly(64, 3);
                assertThat(f32.shape()).containsExactly(3, 64);
                assertThat(f32.rows()).isEqualTo(3);
                assertThat(f32.cols()).isEqualTo(64);
                assertThat(decode(f32)).containsExactly(a);
                assertThat(gguf.floats("f32")).containsExactly(a);
                assertThat(gguf.floats("q4k")).hasSize(1024);
                float[] f16 = decode(gguf.tensor("f16"));
                for (int i = 0; i < 5; i++) {
                    assertThat(f16[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(a[1 + i])));
                }
                byte[] q8 = new byte[3 * 2 * 34];
                GgmlQuant.quantizeQ8_0(a, 0, a.length, q8, 0);
                assertThat(gguf.tensor("q8").data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(q8);
                byte[] q4 = new byte[3 * 2 * 18];
                GgmlQuant.quantizeQ4_0(a, 0, a.length, q4, 0);
                GgufTensor q4t = gguf.tensor("q4");
                assertThat(q4t.shape()).containsExactly(3, 2, 32);
                assertThat(q4t.rows()).isEqualTo(6);
                assertThat(q4t.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(q4);
                assertThat(gguf.tensor("q4k").data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(raw);
                assertThat(gguf.tensor("q4k").type()).isEqualTo(GgmlType.Q4_K);
            }
            assertThat(Files.size(file) % alignment).isZero();
        }
    }

    private static float[] decode(GgufTensor t) {
        float[] out = new float[(int) t.elementCount()];
        GgmlQuant.dequantize(t.type(), t.data(), 0, out, 0, out.length);
        return out;
    }
}
