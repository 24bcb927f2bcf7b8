package io.jspeed.model.format;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the PyTorch-written reference files shared by all worktrees (see ../shared/golden/README.md). */
final class Golden {

    private static final Path FALLBACK = Path.of("/work/shared/golden");

    private Golden() {
    }

    static Path dir() {
        String configured = System.getProperty("jspeed.golden");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        if (Files.isDirectory(FALLBACK)) {
            return FALLBACK;
        }
        throw new IllegalStateException("golden reference directory not found at jspeed.golden=" + configured
                + " nor at " + FALLBACK);
    }
}
