package io.jspeed.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCachesTest {

    private static void index(Path dir, int i, String level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsDataCachesAndSkipsTheInstructionCache(@TempDir Path dir) throws IOException {
        index(dir, 0, "1", "Data", "48K");
        index(dir, 1, "1", "Instruction", "32K");
        index(dir, 2, "2", "Unified", "2048K");
        index(dir, 3, "3", "Unified", "480M");
        assertThat(HostCaches.read(dir)).isEqualTo(new HostCaches(48 << 10, 2 << 20, 480L << 20));
    }

    @Test
    void missingLevelsAndUnreadableSizesFallBack(@TempDir Path dir) throws IOException {
        index(dir, 0, "1", "Data", "32K");
        index(dir, 2, "2", "Unified", "lots");
        HostCaches c = HostCaches.read(dir);
        assertThat(c).isEqualTo(new HostCaches(32 << 10, HostCaches.FALLBACK.l2(), HostCaches.FALLBACK.l3()));
        assertThat(HostCaches.read(dir.resolve("no-such-dir"))).isEqualTo(HostCaches.FALLBACK);
    }

    @Test
    void parsesSysfsSizeSuffixes() {
        assertThat(HostCaches.parseSize("48K")).isEqualTo(48 << 10);
        assertThat(HostCaches.parseSize("32M")).isEqualTo(32 << 20);
        assertThat(HostCaches.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(HostCaches.parseSize("4096")).isEqualTo(4096);
        assertThat(HostCaches.parseSize("")).isZero();
        assertThat(HostCaches.parseSize("12Q")).isZero();
    }

    @Test
    void hostKeyChangesWithCachesAndThreadsAndIsStable() {
        HostCaches a = new HostCaches(48 << 10, 1 << 20, 32 << 20);
        assertThat(a.hostKey(2)).isEqualTo(a.hostKey(2)).hasSize(16);
        assertThat(a.hostKey(2)).isNotEqualTo(a.hostKey(1));
        assertThat(a.hostKey(2)).isNotEqualTo(new HostCaches(48 << 10, 2 << 20, 32 << 20).hostKey(2));
        assertThat(a.describe()).isEqualTo("L1d 48 KiB, L2 1 MiB, L3 32 MiB");
    }
}
