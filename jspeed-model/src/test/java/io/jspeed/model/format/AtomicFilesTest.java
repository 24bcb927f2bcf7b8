package io.jspeed.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesANewFile() throws IOException {
        Path target = dir.resolve("a.bin");
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(filesIn(dir)).containsExactly("a.bin");
    }

    @Test
    void replacesExistingContentWholly() throws IOException {
        Path target = dir.resolve("a.txt");
        Files.writeString(target, "a much longer old content than the new one");
        AtomicFiles.writeString(target, "néw");
        assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("néw");
        assertThat(filesIn(dir)).containsExactly("a.txt");
    }

    @Test
    void largeContentGoesThroughTheBufferIntact() throws IOException {
        Path target = dir.resolve("big.bin");
        byte[] content = new byte[300_001];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        AtomicFiles.write(target, out -> {
            for (byte b : content) {
                out.write(b);
            }
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }

    @Test
    void writerThrowingIOExceptionLeavesOldFileAndNoTemp() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("partial new content".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full (simulated)");
        })).isInstanceOf(IOException.class).hasMessageContaining("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(filesIn(dir)).containsExactly("keep.txt");
    }

    @Test
    void writerThrowingRuntimeExceptionLeavesOldFileAndNoTemp() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new UncheckedIOException(new IOException("boom"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(filesIn(dir)).containsExactly("keep.txt");
    }

    @Test
    void failedFirstWriteCreatesNothing() {
        Path target = dir.resolve("never.txt");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            throw new IOException("nope");
        })).isInstanceOf(IOException.class);
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void newFileGetsTheUsualPermissionsNotOwnerOnly() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        assertThat(Files.getPosixFilePermissions(atomic)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    private static java.util.List<String> filesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
