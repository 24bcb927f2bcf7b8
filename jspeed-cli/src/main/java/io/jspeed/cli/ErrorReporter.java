package io.jspeed.cli;

import io.jspeed.train.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the errors a user can fix (bad config, bad or missing files, bad arguments) into one clear line and exit
 * code 2. Anything else (an IllegalStateException, a NullPointerException, ...) is a bug in jspeed: its whole
 * stack trace goes to stderr with exit code 1, as that is what a bug report needs.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof ConfigException) {
            cli.getErr().println("jspeed: error: " + t.getMessage());
            return 2;
        }
        cli.getErr().println("jspeed: internal error (a bug in jspeed; please report it with this trace):");
        e.printStackTrace(cli.getErr());
        cli.getErr().flush();
        return 1;
    }
}
