package io.jspeed.model.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file on disk is not what its format requires. The message names the file, what is wrong and what was expected.
 */
public class FormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public FormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public FormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that is malformed. */
    public Path file() {
        return file;
    }
}
