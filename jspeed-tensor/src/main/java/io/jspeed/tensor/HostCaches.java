package io.jspeed.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;

/**
 * The data-cache sizes of the host (bytes per instance, as Linux reports them for cpu0), from which kernels
 * derive their blocking instead of constants tuned on one CPU. Where sysfs is missing or unreadable a level
 * falls back to a conservative size ({@link #FALLBACK}), so a kernel always gets usable numbers.
 */
public record HostCaches(long l1d, long l2, long l3) {

    /** Sizes of a small current x86 core, used for any level the host does not report. */
    public static final HostCaches FALLBACK = new HostCaches(32 << 10, 1 << 20, 8 << 20);

    private static final Path SYS_CACHE = Path.of("/sys/devices/system/cpu/cpu0/cache");
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    public HostCaches {
        if (l1d <= 0 || l2 <= 0 || l3 <= 0) {
            throw new IllegalArgumentException("cache sizes must be > 0, got l1d=" + l1d + " l2=" + l2 + " l3=" + l3);
        }
    }

    /** This host's caches from sysfs, with {@link #FALLBACK} for each level it does not report. */
    public static HostCaches read() {
        return read(SYS_CACHE);
    }

    /** Caches described by a sysfs-style directory of {@code index*} folders holding {@code level}, {@code type}, {@code size}. */
    public static HostCaches read(Path cacheDir) {
        long l1d = 0, l2 = 0, l3 = 0;
        try (var entries = Files.list(cacheDir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                String type = readTrimmed(index.resolve("type"));
                if (type == null || type.equals("Instruction")) continue;
                String level = readTrimmed(index.resolve("level"));
                long size = parseSize(readTrimmed(index.resolve("size")));
                if (level == null || size <= 0) continue;
                switch (level) {
                    case "1" -> l1d = size;
                    case "2" -> l2 = size;
                    case "3" -> l3 = size;
                    default -> { }
                }
            }
        } catch (IOException | SecurityException e) {
            // no sysfs (containers, other OSes): every level takes its fallback below
        }
        return new HostCaches(l1d > 0 ? l1d : FALLBACK.l1d, l2 > 0 ? l2 : FALLBACK.l2, l3 > 0 ? l3 : FALLBACK.l3);
    }

    /** sysfs sizes read "48K", "1024K", "32M" (or plain bytes); anything else is 0 (unknown). */
    static long parseSize(String text) {
        if (text == null || text.isEmpty()) return 0;
        long unit = switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? text : text.substring(0, text.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * unit;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The "model name" line of /proc/cpuinfo, or "unknown CPU". */
    public static String cpuModel() {
        String name = cpuinfoField("model name");
        return name == null ? "unknown CPU" : name;
    }

    /**
     * The CPU flags that matter to GEMM kernels (avx512f, avx512_bf16, amx_tile, amx_bf16) this host advertises,
     * for display only: engines are chosen by measurement, never by what a flag or a vendor name promises.
     */
    public static List<String> gemmFlags() {
        String flags = cpuinfoField("flags");
        List<String> out = new ArrayList<>();
        if (flags == null) return out;
        for (String f : flags.split("\\s+")) {
            if (f.equals("avx512_bf16") || f.equals("amx_bf16") || f.equals("amx_tile") || f.equals("avx512f")) out.add(f);
        }
        return out;
    }

    /**
     * A short stable name for this kind of host (CPU model, caches and processor count), under which measured
     * choices are cached: a different CPU, or the same one with other caches or core count, measures afresh.
     */
    public String hostKey(int processors) {
        String identity = cpuModel() + "|" + l1d + "|" + l2 + "|" + l3 + "|" + processors;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** "L1d 48 KiB, L2 1 MiB, L3 32 MiB". */
    public String describe() {
        return "L1d " + human(l1d) + ", L2 " + human(l2) + ", L3 " + human(l3);
    }

    private static String human(long bytes) {
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        if (bytes % (1L << 10) == 0) return (bytes >> 10) + " KiB";
        return bytes + " B";
    }

    private static String cpuinfoField(String key) {
        try {
            for (String line : Files.readAllLines(CPUINFO)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux: callers show "unknown"
        }
        return null;
    }

    private static String readTrimmed(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
