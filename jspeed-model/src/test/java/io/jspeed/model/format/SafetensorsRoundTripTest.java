package io.jspeed.model.format;

import io.jspeed.tensor.BF16;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryKindWithMetadata() throws IOException {
        float[] weights = new float[3 * 5 + 2];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) Math.sin(i) * 3;
        }
        int[] ids = {7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 42};
        float[] halves = {1f, -2.5f, 0.15625f, 3e38f};
        Path file = dir.resolve("rt.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .metadata("step", "12")
                .addFloats("w", new long[] {3, 5}, weights, 2)
                .addInts("ids", new long[] {2, 3}, ids, 0)
                .addBf16("h", new long[] {4}, halves, 0)
                .addFloats("empty", new long[] {0, 7}, new float[0], 0)
                .addFloats("scalar", new long[] {}, new float[] {9.5f}, 0)
                .write(file);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.path()).isEqualTo(file);
            assertThat(st.metadata()).isEqualTo(Map.of("format", "pt", "step", "12"));
            assertThat(st.tensors()).extracting(TensorInfo::name).containsExactly("w", "ids", "h", "empty", "scalar");
            float[] expected = new float[15];
            System.arraycopy(weights, 2, expected, 0, 15);
            assertThat(st.floats("w")).containsExactly(expected);
            assertThat(st.info("w").shape()).containsExactly(3, 5);
            assertThat(st.info("w").dtype()).isEqualTo(DType.F32);
            assertThat(st.ints("ids")).containsExactly(ids);
            assertThat(st.info("h").dtype()).isEqualTo(DType.BF16);
            assertThat(st.info("h").byteLength()).isEqualTo(8);
            // Each of these is exactly representable in bf16, except 3e38 which rounds to its nearest.
            float[] h = st.floats("h");
            assertThat(h[0]).isEqualTo(1f);
            assertThat(h[1]).isEqualTo(-2.5f);
            assertThat(h[2]).isEqualTo(0.15625f);
            assertThat(h[3]).isCloseTo(3e38f, org.assertj.core.data.Percentage.withPercentage(0.4));
            assertThat(st.floats("empty")).isEmpty();
            assertThat(st.info("empty").shape()).containsExactly(0, 7);
            assertThat(st.info("scalar").shape()).isEmpty();
            assertThat(st.info("scalar").elementCount()).isEqualTo(1);
            assertThat(st.floats("scalar")).containsExactly(9.5f);
            assertThat(st.contains("w")).isTrue();
            assertThat(st.contains("W")).isFalse();
        }
    }

    @Test
    void layoutFollowsTheSpec() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        new SafetensorsWriter()
                .addFloats("a", new long[] {3}, new float[] {1, 2, 3}, 0)
                .addInts("b", new long[] {1}, new int[] {0x01020304}, 0)
                .addBf16("c", new long[] {1}, new float[] {1}, 0)
                .write(file);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        assertThat((8 + headerLength) % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(header).startsWith("{").contains("\"data_offsets\":[0,12]").contains("\"data_offsets\":[12,16]")
                .contains("\"data_offsets\":[16,18]").doesNotContain("__metadata__");
        assertThat(header.strip()).endsWith("}");
        assertThat(header.substring(header.strip().length())).matches(" *");
        assertThat(bytes.length).isEqualTo(8 + headerLength + 18);
        int data = (int) (8 + headerLength);
        assertThat(buf.getFloat(data + 4)).isEqualTo(2f);
        assertThat(bytes[data + 12]).isEqualTo((byte) 0x04); // little-endian int
        assertThat(buf.getShort(data + 16)).isEqualTo((short) 0x3F80); // bf16 of 1.0
    }

    @Test
    void bf16RoundsToNearestWithTiesToEven() {
        float one = 1f;
        float ulp = (float) Math.scalb(1.0, -7); // bf16 spacing just above 1
        assertThat(BF16.toFloat(BF16.fromFloat(one + ulp / 2))).isEqualTo(one); // tie, 1.0 is even
        assertThat(BF16.toFloat(BF16.fromFloat(one + 3 * ulp / 2))).isEqualTo(one + 2 * ulp); // tie, round up to even
        assertThat(BF16.toFloat(BF16.fromFloat(one + ulp / 2 + (float) Math.scalb(1.0, -20)))).isEqualTo(one + ulp);
        assertThat(BF16.toFloat(BF16.fromFloat(Float.NaN))).isNaN();
        assertThat(BF16.toFloat(BF16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(BF16.toFloat(BF16.fromFloat(Float.MAX_VALUE))).isEqualTo(Float.POSITIVE_INFINITY);
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            float v = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10));
            float rounded = BF16.toFloat(BF16.fromFloat(v));
            // Reference: the two bf16 neighbours by truncation, pick the nearer in double arithmetic.
            int bits = Float.floatToRawIntBits(v);
            float down = Float.intBitsToFloat(bits & 0xFFFF0000);
            float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
            double dDown = Math.abs((double) v - down);
            double dUp = Math.abs((double) up - v);
            float nearest = dDown < dUp ? down : dUp < dDown ? up : ((bits >>> 16) & 1) == 0 ? down : up;
            assertThat(rounded).as("bf16(%s)", v).isEqualTo(nearest);
        }
    }

    @Test
    void readsF16AndI64WrittenAsSegments() throws IOException {
        Path file = dir.resolve("seg.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment half = arena.allocate(3 * 2);
            float[] values = {1.5f, -0.099975586f, 65504f};
            for (int i = 0; i < 3; i++) {
                half.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i,
                        Float.floatToFloat16(values[i]));
            }
            MemorySegment longs = arena.allocate(2 * 8);
            longs.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, -5);
            longs.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 1, 1L << 40);
            new SafetensorsWriter()
                    .addSegment("half", DType.F16, new long[] {3}, half)
                    .addSegment("small", DType.I64, new long[] {1}, longs.asSlice(0, 8))
                    .addSegment("big", DType.I64, new long[] {2}, longs)
                    .write(file);
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                assertThat(st.floats("half")).containsExactly(values);
                assertThat(st.ints("small")).containsExactly(-5);
                assertThatThrownBy(() -> st.ints("big")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("big").hasMessageContaining(String.valueOf(1L << 40));
                assertThat(st.segment("big").byteSize()).isEqualTo(16);
                assertThat(st.segment("big").getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED
                        .withOrder(ByteOrder.LITTLE_ENDIAN), 1)).isEqualTo(1L << 40);
                assertThatThrownBy(() -> st.floats("big")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("I64");
                assertThatThrownBy(() -> st.ints("half")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("F16");
            }
        }
    }

    @Test
    void missingTensorNamesFileTensorAndNearNames() throws IOException {
        Path file = dir.resolve("names.safetensors");
        new SafetensorsWriter()
                .addFloats("transformer.wte.weight", new long[] {1}, new float[] {1}, 0)
                .addFloats("transformer.wpe.weight", new long[] {1}, new float[] {1}, 0)
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> st.info("wte.weight")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("names.safetensors").hasMessageContaining("\"wte.weight\"")
                    .hasMessageContaining("transformer.wte.weight");
            assertThatThrownBy(() -> st.floats("nope")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void closeIsIdempotentAndInvalidatesSegments() throws IOException {
        Path file = dir.resolve("c.safetensors");
        new SafetensorsWriter().addFloats("x", new long[] {2}, new float[] {1, 2}, 0).write(file);
        SafetensorsFile st = SafetensorsFile.open(file);
        MemorySegment x = st.segment("x");
        st.close();
        st.close();
        assertThatThrownBy(() -> x.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writerRejectsBadInput() {
        SafetensorsWriter w = new SafetensorsWriter().addFloats("a", new long[] {2}, new float[] {1, 2}, 0);
        assertThatThrownBy(() -> w.addInts("a", new long[] {1}, new int[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a\"");
        assertThatThrownBy(() -> w.addFloats("b", new long[] {2, 2}, new float[5], 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"b\"").hasMessageContaining("5");
        assertThatThrownBy(() -> w.addFloats("c", new long[] {-1}, new float[5], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> w.addFloats("__metadata__", new long[] {1}, new float[1], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.addSegment("d", DType.F32, new long[] {3}, MemorySegment.ofArray(new byte[8])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
    }

    @Test
    void tensorsBeyondTwoGibibytesUseLongOffsets() throws IOException {
        // A sparse file: 8 GiB of zeros cost no disk, yet every offset past 2^31 goes through the reader.
        long bigElements = 1L << 31;
        long bigBytes = bigElements * 4;
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigElements + "],\"data_offsets\":[0," + bigBytes
                + "]},\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 8) + "]}}";
        byte[] json = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path file = dir.resolve("huge.safetensors");
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(json.length).put(json).flip();
            channel.write(head, 0);
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.25f).putFloat(-7f).flip();
            channel.write(tail, 8 + json.length + bigBytes);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.info("tail").byteOffset()).isEqualTo(bigBytes);
            assertThat(st.floats("tail")).containsExactly(1.25f, -7f);
            MemorySegment big = st.segment("big");
            assertThat(big.byteSize()).isEqualTo(bigBytes);
            assertThat(big.get(ValueLayout.JAVA_FLOAT_UNALIGNED, bigBytes - 4)).isZero();
            assertThatThrownBy(() -> st.floats("big")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("huge.safetensors").hasMessageContaining("\"big\"")
                    .hasMessageContaining(String.valueOf(bigElements)).hasMessageContaining("segment()");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void rewritingReplacesTheOldFile() throws IOException {
        Path file = dir.resolve("r.safetensors");
        new SafetensorsWriter().addFloats("old", new long[] {1}, new float[] {1}, 0).write(file);
        new SafetensorsWriter().addFloats("new", new long[] {1}, new float[] {2}, 0).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensors()).extracting(TensorInfo::name).containsExactly("new");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }
}
