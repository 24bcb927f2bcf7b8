package io.jspeed.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can be broken fails in open() with a FormatException that names the file and the problem. */
class SafetensorsCorruptionTest {

    @TempDir
    Path dir;

    @Test
    void wellFormedHandMadeFileOpens() throws IOException {
        // The helper itself must produce readable files, or the failures below would prove nothing.
        Path file = file("good", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.floats("a")).hasSize(2);
        }
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertFormat(file).hasMessageContaining("3 bytes").hasMessageContaining("at least 8");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        Files.write(file, new byte[0]);
        assertFormat(file).hasMessageContaining("at least 8");
    }

    @Test
    void headerLongerThanTheFile() throws IOException {
        Path file = raw("long", 1000, "{}".getBytes(StandardCharsets.UTF_8));
        assertFormat(file).hasMessageContaining("1000").hasMessageContaining("truncated");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        assertFormat(raw("absurd", 1L << 40, new byte[16])).hasMessageContaining(String.valueOf(1L << 40))
                .hasMessageContaining("at most");
        assertFormat(raw("negative", -1, new byte[16])).hasMessageContaining("at most");
    }

    @Test
    void headerNotJson() throws IOException {
        assertFormat(file("notjson", "{\"a\": {\"dtype\": ", 0)).hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1");
        assertFormat(file("garbage", "{} trailing", 0)).hasMessageContaining("not valid JSON");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertFormat(file("array", "[1, 2]", 0)).hasMessageContaining("ARRAY").hasMessageContaining("expected a JSON object");
        assertFormat(file("entry", "{\"a\": 5}", 0)).hasMessageContaining("\"a\"").hasMessageContaining("NUMBER");
    }

    @Test
    void missingFields() throws IOException {
        assertFormat(file("nodtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("\"a\"").hasMessageContaining("no \"dtype\"");
        assertFormat(file("noshape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("no \"shape\"");
        assertFormat(file("nooffsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8))
                .hasMessageContaining("no \"data_offsets\"");
    }

    @Test
    void fieldsOfTheWrongType() throws IOException {
        assertFormat(file("dtypeint", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("dtype").hasMessageContaining("expected a string");
        assertFormat(file("shapestr", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("shape").hasMessageContaining("array of integers");
        assertFormat(file("shapefloat", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("shape");
        assertFormat(file("offsets1", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", 8))
                .hasMessageContaining("data_offsets").hasMessageContaining("2 integers");
        assertFormat(file("offsetsback", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8))
                .hasMessageContaining("begin <= end");
        assertFormat(file("meta", "{\"__metadata__\":{\"k\":1}}", 0)).hasMessageContaining("__metadata__")
                .hasMessageContaining("expected a string");
    }

    @Test
    void unknownDtype() throws IOException {
        assertFormat(file("dtype", "{\"a\":{\"dtype\":\"F8_E5M2\",\"shape\":[2],\"data_offsets\":[0,2]}}", 8))
                .hasMessageContaining("F8_E5M2").hasMessageContaining("BF16");
    }

    @Test
    void negativeDimension() throws IOException {
        assertFormat(file("negdim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2,-1],\"data_offsets\":[0,8]}}", 8))
                .hasMessageContaining("negative").hasMessageContaining("[-2, -1]");
    }

    @Test
    void byteLengthDisagreesWithShape() throws IOException {
        assertFormat(file("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 12))
                .hasMessageContaining("8 bytes").hasMessageContaining("expected 12");
    }

    @Test
    void dataBeyondTheEndOfFile() throws IOException {
        assertFormat(file("trunc", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12))
                .hasMessageContaining("\"a\"").hasMessageContaining("truncated").hasMessageContaining("12 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        assertFormat(file("overlap", header, 24)).hasMessageContaining("\"a\"").hasMessageContaining("\"b\"")
                .hasMessageContaining("overlap");
    }

    @Test
    void duplicateNames() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertFormat(file("dup", header, 8)).hasMessageContaining("Duplicate");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertFormat(Path file) {
        return assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.getFileName().toString())
                .satisfies(e -> assertThat(((FormatException) e).file()).isEqualTo(file));
    }

    /** A file with a correct length prefix, the given header and {@code dataBytes} zero bytes of data. */
    private Path file(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] rest = new byte[json.length + dataBytes];
        System.arraycopy(json, 0, rest, 0, json.length);
        return raw(name, json.length, rest);
    }

    /** A file whose length prefix says {@code headerLength}, followed by {@code rest}. */
    private Path raw(String name, long headerLength, byte[] rest) throws IOException {
        Path file = dir.resolve(name + ".safetensors");
        ByteBuffer buf = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLength).put(rest);
        Files.write(file, buf.array());
        return file;
    }
}
