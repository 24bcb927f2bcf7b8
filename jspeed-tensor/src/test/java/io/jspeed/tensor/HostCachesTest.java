package io.jspeed.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache sizes from a sysfs-shaped directory, with per-level fallbacks where it says nothing. */
class HostCachesTest {

    static void cache(Path dir, int index, int level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsDataAndUnifiedCachesAndSkipsInstructionCaches(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("cache");
        cache(dir, 0, 1, "Data", "48K");
        cache(dir, 1, 1, "Instruction", "32K");
        cache(dir, 2, 2, "Unified", "1024K");
        cache(dir, 3, 3, "Unified", "32M");
        Path cpuinfo = Files.writeString(tmp.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t: avx\n");
        assertThat(HostCaches.read(dir, cpuinfo)).isEqualTo(new HostCaches(48 << 10, 1 << 20, 32L << 20, "Test CPU 9000"));
    }

    @Test
    void missingOrUnreadableLevelsFallBack(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("cache");
        cache(dir, 0, 1, "Data", "garbage");
        cache(dir, 2, 2, "Unified", "2048K");
        HostCaches c = HostCaches.read(dir, tmp.resolve("no-cpuinfo"));
        assertThat(c.l1d()).isEqualTo(HostCaches.FALLBACK_L1D);
        assertThat(c.l2()).isEqualTo(2L << 20);
        assertThat(c.l3()).isEqualTo(HostCaches.FALLBACK_L3);
        assertThat(c.cpuModel()).isEqualTo(System.getProperty("os.arch"));
        assertThat(HostCaches.read(tmp.resolve("nothing"), tmp.resolve("none")).l2()).isEqualTo(HostCaches.FALLBACK_L2);
    }

    @Test
    void sizesParseAsSysfsWritesThem() {
        assertThat(HostCaches.parseSize("48K")).isEqualTo(48L << 10);
        assertThat(HostCaches.parseSize("32M")).isEqualTo(32L << 20);
        assertThat(HostCaches.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(HostCaches.parseSize("65536")).isEqualTo(65536);
        assertThat(HostCaches.parseSize("")).isEqualTo(-1);
        assertThat(HostCaches.parseSize("K")).isEqualTo(-1);
    }
}
