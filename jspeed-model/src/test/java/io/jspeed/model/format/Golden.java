package io.jspeed.model.format;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the PyTorch-written reference files of src/test/resources/golden (see the README there). */
final class Golden {

    private Golden() {
    }

    /** The build names the directory in {@code jspeed.golden}; run from elsewhere, the copy on the test classpath is used. */
    static Path dir() {
        String configured = System.getProperty("jspeed.golden");
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured);
        }
        var onClasspath = Golden.class.getResource("/golden/README.md");
        if (onClasspath != null && onClasspath.getProtocol().equals("file")) {
            return Path.of(java.net.URI.create(onClasspath.toString())).getParent();
        }
        throw new IllegalStateException("golden reference directory not found: jspeed.golden=" + configured
                + " and no golden/ on the test classpath");
    }
}
