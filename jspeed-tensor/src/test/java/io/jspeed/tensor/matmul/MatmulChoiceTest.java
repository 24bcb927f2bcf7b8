package io.jspeed.tensor.matmul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.kernel.GemmBlocking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatmulChoiceTest {

    @Test
    void roundTripsThroughItsFile(@TempDir Path dir) throws IOException {
        MatmulChoice c = new MatmulChoice(new GemmBlocking(272, 480, 7680), DnnlFp32Matmul.NAME, DnnlBf16Matmul.NAME, true, "2.6.3");
        Path file = dir.resolve("sub/host-matmul.properties");
        c.write(file, "test");
        assertThat(MatmulChoice.read(file)).isEqualTo(c);
        assertThat(Files.list(file.getParent())).as("no temp file left behind").containsExactly(file);
    }

    @Test
    void aBadFileIsAnErrorNamingTheFileAndTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "gemm.kc=abc\ngemm.mc=144\ngemm.nc=3072\nengine.fp32=java-fp32\nengine.bf16=java-bf16\ndnnl=none\n");
        assertThatThrownBy(() -> MatmulChoice.read(file)).hasMessageContaining(file.toString()).hasMessageContaining("gemm.kc");
        Files.writeString(file, "gemm.kc=768\ngemm.mc=144\ngemm.nc=3072\nengine.fp32=openblas\nengine.bf16=java-bf16\nengine.bf16.faster=false\ndnnl=none\n");
        assertThatThrownBy(() -> MatmulChoice.read(file)).hasMessageContaining("openblas");
        Files.writeString(file, "gemm.kc=768\ngemm.mc=144\ngemm.nc=3072\nengine.fp32=java-fp32\nengine.bf16=java-bf16\nengine.bf16.faster=yes\ndnnl=none\n");
        assertThatThrownBy(() -> MatmulChoice.read(file)).hasMessageContaining("engine.bf16.faster").hasMessageContaining("yes");
        Files.writeString(file, "gemm.kc=768\n");
        assertThatThrownBy(() -> MatmulChoice.read(file)).hasMessageContaining("missing key gemm.mc");
    }
}
