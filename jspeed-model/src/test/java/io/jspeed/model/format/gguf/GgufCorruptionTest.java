package io.jspeed.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.model.format.FormatException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and broken GGUF files: each fails at open with one FormatException naming the file and the problem. */
class GgufCorruptionTest {

    @TempDir
    Path dir;

    /** Little-endian GGUF bytes with every field under the test's control. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u32(long v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        Bytes u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Bytes raw(byte... b) {
            out.writeBytes(b);
            return this;
        }

        /** Magic, version 3 and the two counts. */
        static Bytes header(long tensors, long kvs) {
            return new Bytes().raw((byte) 'G', (byte) 'G', (byte) 'U', (byte) 'F').u32(3).u64(tensors).u64(kvs);
        }

        /** A tensor info: name, dims (ne order), type id, offset. */
        Bytes tensor(String name, long[] dims, int type, long offset) {
            str(name).u32(dims.length);
            for (long d : dims) {
                u64(d);
            }
            return u32(type).u64(offset);
        }

        /** Pads to 32 and appends {@code dataBytes} zero bytes of data. */
        Bytes data(int dataBytes) {
            int pad = (32 - out.size() % 32) % 32;
            out.writeBytes(new byte[pad + dataBytes]);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private String openFails(byte[] content) throws Exception {
        return openFails("bad.gguf", content);
    }

    private String openFails(String name, byte[] content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> GgufFile.open(file).close());
        assertThat(thrown).as("opening %s", Arrays.toString(Arrays.copyOf(content, Math.min(content.length, 40))))
                .isInstanceOf(FormatException.class);
        assertThat(thrown.getMessage()).startsWith(file.toString() + ": ");
        return thrown.getMessage();
    }

    @Test
    void notGgufAtAll() throws Exception {
        assertThat(openFails(new byte[0])).contains("0 bytes; expected at least the 4-byte magic");
        assertThat(openFails("model.gguf", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}))
                .contains("zip archive").contains("expected the magic \"GGUF\"");
        byte[] safetensors = new Bytes().u64(2).raw((byte) '{', (byte) '}').bytes();
        assertThat(openFails(safetensors)).contains("a safetensors file?");
        assertThat(openFails(new Bytes().raw((byte) 'G', (byte) 'G', (byte) 'M', (byte) 'L').u32(1).bytes()))
                .contains("starts with \"GGML\"");
    }

    @Test
    void versions() throws Exception {
        byte[] v1 = new Bytes().raw((byte) 'G', (byte) 'G', (byte) 'U', (byte) 'F').u32(1).u32(0).u32(0).bytes();
        assertThat(openFails(v1)).contains("GGUF version 1; expected version 2 or 3");
        byte[] bigEndian = new Bytes().raw((byte) 'G', (byte) 'G', (byte) 'U', (byte) 'F').raw(new byte[] {0, 0, 0, 3}).u64(0).u64(0).bytes();
        assertThat(openFails(bigEndian)).contains("big-endian");
    }

    @Test
    void everyTruncationOfAValidFileFailsCleanly() throws Exception {
        byte[] valid = Bytes.header(1, 2).str("general.architecture").u32(8).str("llama")
                .str("tokenizer.ggml.tokens").u32(9).u32(8).u64(2).str("a").str("bc")
                .tensor("w", new long[] {32, 2}, GgmlType.Q8_0.id(), 0).data(2 * 34).bytes();
        Path ok = dir.resolve("ok.gguf");
        Files.write(ok, valid);
        try (GgufFile f = GgufFile.open(ok)) {
            assertThat(f.tensor("w").byteSize()).isEqualTo(68);
        }
        for (int length = 0; length < valid.length; length++) {
            String message = openFails(Arrays.copyOf(valid, length));
            assertThat(message).containsAnyOf("truncated", "expected at least", "ends at byte");
        }
    }

    @Test
    void countsThatCannotFitInTheFile() throws Exception {
        assertThat(openFails(Bytes.header(0, 1L << 40).bytes())).contains("metadata count is 1099511627776 but only 0 bytes follow");
        assertThat(openFails(Bytes.header(-1L, 0).bytes())).contains("tensor count is 18446744073709551615");
        assertThat(openFails(Bytes.header(0, 1).u64(1L << 40).data(64).bytes())).contains("string of 1099511627776 bytes but only");
        assertThat(openFails(Bytes.header(0, 1).str("k").u32(9).u32(8).u64(1L << 50).bytes()))
                .contains("metadata \"k\" claims 1125899906842624 STRING elements but only 0 bytes follow");
        assertThat(openFails(Bytes.header(0, 1).str("k").u32(9).u32(4).u64(Long.MIN_VALUE).bytes())).contains("claims 9223372036854775808");
    }

    @Test
    void badValues() throws Exception {
        assertThat(openFails(Bytes.header(0, 1).str("k").u32(13).u8(0).bytes())).contains("metadata \"k\" has value type 13; expected 0..12");
        assertThat(openFails(Bytes.header(0, 1).str("k").u32(7).u8(2).bytes())).contains("BOOL of value 2; expected 0 or 1");
        assertThat(openFails(Bytes.header(0, 1).u64(2).raw((byte) 0xC3, (byte) 0x28).u32(4).u32(0).bytes())).contains("not valid UTF-8");
        assertThat(openFails(Bytes.header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2).bytes())).contains("\"k\" appears twice");
        assertThat(openFails(Bytes.header(0, 1).str("general.alignment").u32(4).u32(24).bytes())).contains("24; expected a power of two");
        assertThat(openFails(Bytes.header(0, 1).str("general.alignment").u32(8).str("32").bytes())).contains("expected a UINT32");
        Bytes nested = Bytes.header(0, 1).str("k").u32(9);
        for (int i = 0; i < 10; i++) {
            nested.u32(9).u64(1);
        }
        assertThat(openFails(nested.data(200).bytes())).contains("nests arrays more than 8 deep");
    }

    @Test
    void badTensorInfos() throws Exception {
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {32}, 99, 0).data(64).bytes()))
                .contains("tensor \"w\" has tensor type 99, which ggml does not define");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {32}, 4, 0).data(64).bytes()))
                .contains("tensor type 4");
        assertThat(openFails(Bytes.header(1, 0).str("w").u32(5).data(64).bytes())).contains("tensor \"w\" has 5 dimensions; expected 0..4");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {1L << 40, 1L << 40}, 0, 0).data(64).bytes()))
                .contains("overflow a 64-bit element count");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {1L << 20, 1L << 20}, 0, 0).data(64).bytes()))
                .contains("tensor \"w\" (F32 [1048576, 1048576], 4398046511104 bytes at data offset 0) ends beyond the file's 64 data bytes");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {8}, 0, 64).data(64).bytes())).contains("ends beyond");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {8}, 0, -32).data(64).bytes())).contains("data offset 18446744073709551584");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {8}, 0, 4).data(64).bytes())).contains("not a multiple of the alignment 32");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {48}, GgmlType.Q8_0.id(), 0).data(64).bytes()))
                .contains("48 elements per row (ne[0]); expected a multiple of the block size 32");
        assertThat(openFails(Bytes.header(1, 0).tensor("w", new long[] {}, GgmlType.Q4_0.id(), 0).data(64).bytes()))
                .contains("tensor \"w\" is a scalar of Q4_0");
        assertThat(openFails(Bytes.header(2, 0).tensor("w", new long[] {8}, 0, 0).tensor("w", new long[] {8}, 0, 32).data(64).bytes()))
                .contains("tensor \"w\" appears twice");
        assertThat(openFails(Bytes.header(2, 0).tensor("a", new long[] {16}, 0, 0).tensor("b", new long[] {8}, 0, 32).data(96).bytes()))
                .contains("tensors \"a\" [0, 64) and \"b\" [32, 64) overlap");
    }

    @Test
    void missingTensorNamesTheClosest() throws Exception {
        Path file = dir.resolve("ok.gguf");
        Files.write(file, Bytes.header(1, 0).tensor("blk.0.attn_q.weight", new long[] {8}, 0, 0).data(32).bytes());
        try (GgufFile f = GgufFile.open(file)) {
            assertThatThrownBy(() -> f.tensor("blk.0.attn_k.weight")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("no tensor \"blk.0.attn_k.weight\" among 1 tensors; closest names: \"blk.0.attn_q.weight\"");
            assertThatThrownBy(() -> f.metadata().string("general.name")).isInstanceOf(FormatException.class)
                    .hasMessageContaining("metadata has no key \"general.name\"");
        }
    }
}
