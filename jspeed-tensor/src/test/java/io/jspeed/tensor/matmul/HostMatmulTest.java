package io.jspeed.tensor.matmul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.kernel.GemmBlocking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMatmulTest {

    private static final String MISSING = "libdnnl-not-installed.so.2";
    /** Small probes: these tests check what is chosen and cached, not how fast anything is. */
    private static final MatmulAutotune.Budget QUICK = new MatmulAutotune.Budget(
            List.of(new MatmulAutotune.Shape(24, 40, 70, false, false), new MatmulAutotune.Shape(30, 20, 50, false, true)), 0);

    private static HostMatmul open(Parallel pool, Path dir, String lib, java.util.function.Consumer<String> notices) {
        return HostMatmul.open(pool, dir, lib, false, notices, QUICK);
    }

    @Test
    void withoutOneDnnBf16FallsBackToJavaWithOneNoticeAndTheChoiceIsCached(@TempDir Path dir) throws IOException {
        List<String> notices = new ArrayList<>();
        try (HostMatmul host = open(Parallel.serial(), dir, MISSING, notices::add)) {
            assertThat(notices).hasSize(1);
            assertThat(notices.get(0)).contains(MISSING).contains("apt-get install libdnnl2");
            assertThat(host.bf16().name()).isEqualTo(JavaBf16Matmul.NAME);
            assertThat(host.fp32().name()).isEqualTo(JavaFp32Matmul.NAME);
            assertThat(host.dnnl()).isEqualTo("none");
            assertThat(host.measurements()).as("first use measures").isNotEmpty();
            assertThat(host.engines()).extracting(MatmulEngine::name).containsExactly(JavaFp32Matmul.NAME, JavaBf16Matmul.NAME);
            assertThat(Files.exists(host.cacheFile())).isTrue();
            assertThat(host.cacheFile().getParent()).isEqualTo(dir);
        }
        notices.clear();
        try (HostMatmul again = open(Parallel.serial(), dir, MISSING, notices::add)) {
            assertThat(again.measurements()).as("second use reads the cache").isEmpty();
            assertThat(notices).hasSize(1);
        }
    }

    @Test
    void aCachedChoiceIsUsedAsWrittenAndACorruptOneIsMeasuredOver(@TempDir Path dir) throws IOException {
        Path file;
        try (HostMatmul first = open(Parallel.serial(), dir, MISSING, s -> { })) {
            file = first.cacheFile();
        }
        GemmBlocking planted = new GemmBlocking(64, 24, 64);
        new MatmulChoice(planted, JavaFp32Matmul.NAME, JavaBf16Matmul.NAME, false, "none").write(file, "planted");
        try (HostMatmul host = open(Parallel.serial(), dir, MISSING, s -> { })) {
            assertThat(host.blocking()).isEqualTo(planted);
            assertThat(((JavaFp32Matmul) host.fp32()).blocking()).isEqualTo(planted);
        }
        Files.writeString(file, "gemm.kc=nope\n");
        List<String> notices = new ArrayList<>();
        try (HostMatmul host = open(Parallel.serial(), dir, MISSING, notices::add)) {
            assertThat(notices).anyMatch(n -> n.contains(file.toString()) && n.contains("measuring again"));
            assertThat(host.measurements()).isNotEmpty();
            assertThat(MatmulChoice.read(file)).isEqualTo(host.choice());
        }
    }

    @Test
    void withOneDnnItsEnginesEnterTheMeasurementAndTheChoiceNamesItsVersion(@TempDir Path dir) {
        assumeTrue(DnnlLibrary.load(DnnlLibrary.DEFAULT_NAME).isPresent(), DnnlLibrary.missingNotice(DnnlLibrary.DEFAULT_NAME));
        List<String> notices = new ArrayList<>();
        try (Parallel two = new Parallel(2); HostMatmul host = open(two, dir, DnnlLibrary.DEFAULT_NAME, notices::add)) {
            assertThat(notices).isEmpty();
            assertThat(host.dnnl()).matches("2\\.\\d+\\.\\d+");
            assertThat(host.choice().dnnl()).isEqualTo(host.dnnl());
            assertThat(host.engines()).extracting(MatmulEngine::name)
                    .containsExactly(JavaFp32Matmul.NAME, JavaBf16Matmul.NAME, DnnlFp32Matmul.NAME, DnnlBf16Matmul.NAME);
            assertThat(host.measurements()).anyMatch(m -> m.startsWith(DnnlBf16Matmul.NAME))
                    .anyMatch(m -> m.startsWith(DnnlFp32Matmul.NAME));
            assertThat(host.bf16().bf16()).isTrue();
            assertThat(host.fp32().bf16()).isFalse();
        }
    }

    @Test
    void aChoiceMeasuredWithoutOneDnnIsMeasuredAgainOnceItIsInstalled(@TempDir Path dir) throws IOException {
        Path file;
        try (HostMatmul first = open(Parallel.serial(), dir, MISSING, s -> { })) {
            file = first.cacheFile();
        }
        new MatmulChoice(GemmBlocking.TUNED, JavaFp32Matmul.NAME, JavaBf16Matmul.NAME, false, "9.9.9").write(file, "other oneDNN");
        try (HostMatmul host = open(Parallel.serial(), dir, MISSING, s -> { })) {
            assertThat(host.measurements()).isNotEmpty();
            assertThat(host.choice().dnnl()).isEqualTo("none");
        }
    }
}
