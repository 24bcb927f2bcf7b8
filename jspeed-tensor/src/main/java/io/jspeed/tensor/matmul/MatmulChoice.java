package io.jspeed.tensor.matmul;

import io.jspeed.tensor.kernel.GemmBlocking;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.Set;

/**
 * What measurement picked on one host: the Java GEMM's blocking, the engine for fp32 GEMMs and the one for bf16
 * GEMMs, and which oneDNN (version, or "none") was there to compete, so installing or removing it measures again.
 * Stored as a small properties file; a file that does not parse is reported and measured over, never trusted.
 */
public record MatmulChoice(GemmBlocking blocking, String fp32, String bf16, boolean bf16Faster, String dnnl) {

    static final Set<String> FP32_ENGINES = Set.of(JavaFp32Matmul.NAME, DnnlFp32Matmul.NAME);
    static final Set<String> BF16_ENGINES = Set.of(JavaBf16Matmul.NAME, DnnlBf16Matmul.NAME);

    public MatmulChoice {
        if (!FP32_ENGINES.contains(fp32)) throw new IllegalArgumentException("fp32 engine must be one of " + FP32_ENGINES + ", got " + fp32);
        if (!BF16_ENGINES.contains(bf16)) throw new IllegalArgumentException("bf16 engine must be one of " + BF16_ENGINES + ", got " + bf16);
        if (dnnl == null || dnnl.isBlank()) throw new IllegalArgumentException("dnnl must be a version or \"none\"");
    }

    /** The choice stored in {@code file}; IOException or IllegalArgumentException name the file and what is wrong. */
    public static MatmulChoice read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            GemmBlocking blocking = new GemmBlocking(intKey(p, "gemm.kc"), intKey(p, "gemm.mc"), intKey(p, "gemm.nc"));
            return new MatmulChoice(blocking, key(p, "engine.fp32"), key(p, "engine.bf16"), booleanKey(p, "engine.bf16.faster"), key(p, "dnnl"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to a temp file beside {@code file}, fsyncs it and renames it over, so a reader never sees half a file. */
    public void write(Path file, String comment) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Properties p = new Properties();
        p.setProperty("gemm.kc", Integer.toString(blocking.kc()));
        p.setProperty("gemm.mc", Integer.toString(blocking.mc()));
        p.setProperty("gemm.nc", Integer.toString(blocking.nc()));
        p.setProperty("engine.fp32", fp32);
        p.setProperty("engine.bf16", bf16);
        p.setProperty("engine.bf16.faster", Boolean.toString(bf16Faster));
        p.setProperty("dnnl", dnnl);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, comment);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String key(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalArgumentException("missing key " + key);
        return v.trim();
    }

    private static boolean booleanKey(Properties p, String key) {
        String v = key(p, key);
        if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException("key " + key + " must be true or false, got \"" + v + "\"");
        return Boolean.parseBoolean(v);
    }

    private static int intKey(Properties p, String key) {
        String v = key(p, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key " + key + " must be an integer, got \"" + v + "\"");
        }
    }
}
