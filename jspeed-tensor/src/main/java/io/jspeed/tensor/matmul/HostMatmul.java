package io.jspeed.tensor.matmul;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import io.jspeed.tensor.dnnl.DnnlException;
import io.jspeed.tensor.dnnl.DnnlLibrary;
import io.jspeed.tensor.kernel.GemmBlocking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The matmul engines of this host: one for fp32 GEMMs and one for bf16 GEMMs, picked by a short measurement at
 * first use ({@link MatmulAutotune}) and cached per kind of host (CPU model, caches, thread count) in
 * {@code <cache dir>/<host key>-matmul.properties}, so later runs start at once with the same choice (and the
 * same numbers). Holds the oneDNN engines it opened; close it when done.
 */
public final class HostMatmul implements AutoCloseable {

    /** The system property, then environment variable, that moves the cache off {@code ~/.cache/jspeed}. */
    public static final String CACHE_DIR_PROPERTY = "jspeed.cache.dir", CACHE_DIR_ENV = "JSPEED_CACHE_DIR";
    /** The system property naming the oneDNN library to load (default {@link DnnlLibrary#DEFAULT_NAME}). */
    public static final String DNNL_LIBRARY_PROPERTY = "jspeed.dnnl.library";

    private final HostCaches caches;
    private final MatmulChoice choice;
    private final List<MatmulAutotune.Measurement> measurements;
    private final Path cacheFile;
    private final JavaFp32Matmul javaFp32;
    private final JavaBf16Matmul javaBf16;
    private final DnnlFp32Matmul dnnlFp32;
    private final DnnlBf16Matmul dnnlBf16;
    private final String dnnlStatus;

    private HostMatmul(HostCaches caches, MatmulChoice choice, List<MatmulAutotune.Measurement> measurements, Path cacheFile,
            DnnlFp32Matmul dnnlFp32, DnnlBf16Matmul dnnlBf16, String dnnlStatus) {
        this.caches = caches;
        this.choice = choice;
        this.measurements = measurements;
        this.cacheFile = cacheFile;
        this.javaFp32 = new JavaFp32Matmul(choice.blocking());
        this.javaBf16 = new JavaBf16Matmul(choice.blocking());
        this.dnnlFp32 = dnnlFp32;
        this.dnnlBf16 = dnnlBf16;
        this.dnnlStatus = dnnlStatus;
    }

    /** {@code -Djspeed.cache.dir}, else {@code $JSPEED_CACHE_DIR}, else {@code ~/.cache/jspeed}. */
    public static Path defaultCacheDir() {
        String dir = System.getProperty(CACHE_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) dir = System.getenv(CACHE_DIR_ENV);
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(System.getProperty("user.home"), ".cache", "jspeed");
    }

    /** {@code -Djspeed.dnnl.library}, else libdnnl.so.2. */
    public static String defaultDnnlLibrary() {
        String name = System.getProperty(DNNL_LIBRARY_PROPERTY);
        return name == null || name.isBlank() ? DnnlLibrary.DEFAULT_NAME : name;
    }

    /**
     * Loads oneDNN if present, then reads this host's cached choice or measures one with {@code pool} and caches it.
     * {@code notices} receives one line for each thing skipped (oneDNN missing, unreadable or unwritable cache).
     */
    public static HostMatmul open(Parallel pool, Path cacheDir, String dnnlLibrary, Consumer<String> notices) {
        return open(pool, cacheDir, dnnlLibrary, false, notices);
    }

    /** {@link #open(Parallel, Path, String, Consumer)}, measuring afresh (and rewriting the cache) when {@code remeasure}. */
    public static HostMatmul open(Parallel pool, Path cacheDir, String dnnlLibrary, boolean remeasure, Consumer<String> notices) {
        return open(pool, cacheDir, dnnlLibrary, remeasure, notices, MatmulAutotune.DEFAULT);
    }

    static HostMatmul open(Parallel pool, Path cacheDir, String dnnlLibrary, boolean remeasure, Consumer<String> notices,
            MatmulAutotune.Budget budget) {
        HostCaches caches = HostCaches.read();
        Optional<DnnlLibrary> lib = DnnlLibrary.load(dnnlLibrary);
        DnnlFp32Matmul fp32 = null;
        DnnlBf16Matmul bf16 = null;
        String dnnlStatus = "none";
        if (lib.isEmpty()) {
            notices.accept(DnnlLibrary.missingNotice(dnnlLibrary));
        } else {
            try {
                bf16 = DnnlBf16Matmul.open(lib.get());
                fp32 = new DnnlFp32Matmul(lib.get());
                dnnlStatus = lib.get().version();
            } catch (DnnlException e) {
                notices.accept(unusable(dnnlLibrary, e));
                if (bf16 != null) bf16.close();
                bf16 = null;
                fp32 = null;
                dnnlStatus = "none";
            }
        }
        Path file = cacheDir.resolve(caches.hostKey(pool.threads()) + "-matmul.properties");
        MatmulChoice cached = remeasure ? null : readCached(file, dnnlStatus, notices);
        if (cached != null) return new HostMatmul(caches, cached, List.of(), file, fp32, bf16, dnnlStatus);
        MatmulAutotune.Result r;
        try {
            r = MatmulAutotune.run(pool, caches, fp32, bf16, dnnlStatus, budget);
        } catch (DnnlException e) {
            // a shape this oneDNN cannot plan on this CPU: measure and run without it
            notices.accept(unusable(dnnlLibrary, e));
            if (bf16 != null) bf16.close();
            bf16 = null;
            fp32 = null;
            dnnlStatus = "none";
            r = MatmulAutotune.run(pool, caches, null, null, dnnlStatus, budget);
        }
        try {
            r.choice().write(file, "jspeed matmul choice for " + HostCaches.cpuModel() + ", " + caches.describe()
                    + ", " + pool.threads() + " threads");
        } catch (IOException e) {
            notices.accept("jspeed: could not cache the matmul choice in " + file + " (" + e.getMessage()
                    + "); the next run measures again");
        }
        return new HostMatmul(caches, r.choice(), r.measurements(), file, fp32, bf16, dnnlStatus);
    }

    private static String unusable(String library, DnnlException e) {
        return "jspeed: oneDNN (" + library + ") loaded but unusable (" + e.getMessage() + "), so its matmul is skipped";
    }

    private static MatmulChoice readCached(Path file, String dnnlStatus, Consumer<String> notices) {
        if (!Files.exists(file)) return null;
        try {
            MatmulChoice c = MatmulChoice.read(file);
            // measured with another oneDNN (or without one): the contest had other entrants, measure again
            return c.dnnl().equals(dnnlStatus) ? c : null;
        } catch (IOException | IllegalArgumentException e) {
            notices.accept("jspeed: ignoring the cached matmul choice " + file + " (" + e.getMessage() + "); measuring again");
            return null;
        }
    }

    /** The engine for fp32 GEMMs on this host. */
    public MatmulEngine fp32() {
        return choice.fp32().equals(DnnlFp32Matmul.NAME) && dnnlFp32 != null ? dnnlFp32 : javaFp32;
    }

    /**
     * Training's engine: bf16 operands with fp32 accumulation when {@code bf16} (the optimizer keeps fp32 masters),
     * else the fp32 one; either way the one this host measured fastest.
     */
    public MatmulEngine forTraining(boolean bf16) {
        return bf16 ? bf16() : fp32();
    }

    /** The engine for bf16 GEMMs (bf16 operands, fp32 accumulation) on this host. */
    public MatmulEngine bf16() {
        return choice.bf16().equals(DnnlBf16Matmul.NAME) && dnnlBf16 != null ? dnnlBf16 : javaBf16;
    }

    /**
     * The engine for GEMMs whose weights are already coarser than bf16 (int8/int4 and ggml block formats, whose
     * activations llama.cpp even rounds to int8): the bf16 engine where it measured faster than fp32 on this host.
     */
    public MatmulEngine coarseWeights() {
        return choice.bf16Faster() ? bf16() : fp32();
    }

    /** Every engine present, Java ones first, for benchmarks that compare them. */
    public List<MatmulEngine> engines() {
        List<MatmulEngine> all = new ArrayList<>(List.of(javaFp32, javaBf16));
        if (dnnlFp32 != null) all.add(dnnlFp32);
        if (dnnlBf16 != null) all.add(dnnlBf16);
        return all;
    }

    public MatmulChoice choice() {
        return choice;
    }

    public GemmBlocking blocking() {
        return choice.blocking();
    }

    public HostCaches caches() {
        return caches;
    }

    public Path cacheFile() {
        return cacheFile;
    }

    /** The oneDNN version in use, or "none". */
    public String dnnl() {
        return dnnlStatus;
    }

    /** What this run measured to make the choice; empty when the choice came from the cache file. */
    public List<String> measurements() {
        return measurements.stream().map(Object::toString).toList();
    }

    @Override
    public void close() {
        if (dnnlBf16 != null) dnnlBf16.close();
    }
}
