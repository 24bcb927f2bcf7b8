package io.jspeed.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The data cache sizes of the CPU this JVM runs on, so kernels derive their tile sizes from the machine rather
 * than from constants tuned on one CPU. Read from Linux sysfs (cpu0's cache/index*); where that is missing
 * (other OS, container without sysfs) each level falls back to a size most x86 and ARM server cores meet.
 *
 * @param l1d      level-1 data cache per core, bytes
 * @param l2       level-2 cache per core (or cluster), bytes
 * @param l3       last-level cache, bytes (0 if the CPU has none)
 * @param cpuModel the "model name" of /proc/cpuinfo, or os.arch when it cannot be read
 */
public record HostCaches(long l1d, long l2, long l3, String cpuModel) {

    public static final long FALLBACK_L1D = 32L << 10, FALLBACK_L2 = 512L << 10, FALLBACK_L3 = 8L << 20;

    private static final Path CACHE_DIR = Path.of("/sys/devices/system/cpu/cpu0/cache");
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    public HostCaches {
        if (l1d <= 0 || l2 <= 0 || l3 < 0) throw new IllegalArgumentException("cache sizes must be positive: l1d " + l1d + ", l2 " + l2 + ", l3 " + l3);
    }

    /** The caches of this host; never fails (falls back per level). */
    public static HostCaches read() {
        return read(CACHE_DIR, CPUINFO);
    }

    static HostCaches read(Path cacheDir, Path cpuinfo) {
        long l1d = 0, l2 = 0, l3 = 0;
        for (int i = 0; i < 8; i++) {
            Path index = cacheDir.resolve("index" + i);
            if (!Files.isDirectory(index)) continue;
            String type = readTrimmed(index.resolve("type"));
            String level = readTrimmed(index.resolve("level"));
            long size = parseSize(readTrimmed(index.resolve("size")));
            if (type == null || level == null || size <= 0 || type.equals("Instruction")) continue;
            switch (level) {
                case "1" -> l1d = size;
                case "2" -> l2 = size;
                case "3" -> l3 = size;
                default -> { }
            }
        }
        return new HostCaches(l1d > 0 ? l1d : FALLBACK_L1D, l2 > 0 ? l2 : FALLBACK_L2, l3 > 0 ? l3 : FALLBACK_L3, model(cpuinfo));
    }

    /** The CPU model name, for reports next to the cache sizes. */
    public String cpuModel() {
        return cpuModel;
    }

    /** "48K", "1024K", "32M" or plain bytes as sysfs writes them; -1 when unreadable. */
    static long parseSize(String s) {
        if (s == null || s.isEmpty()) return -1;
        String t = s.toUpperCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'K') unit = 1L << 10;
        else if (last == 'M') unit = 1L << 20;
        else if (last == 'G') unit = 1L << 30;
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * unit;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String model(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals("model name")) return line.substring(colon + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // fall through: not Linux, or /proc not mounted
        }
        return System.getProperty("os.arch", "unknown");
    }

    private static String readTrimmed(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
