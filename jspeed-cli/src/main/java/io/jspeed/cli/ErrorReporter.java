package io.jspeed.cli;

import io.jspeed.train.config.ConfigException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the errors a user can fix (bad config, bad files, bad arguments) into one clear line and exit code 2,
 * and leaves stack traces to real bugs.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof IOException || t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof ConfigException) {
            cli.getErr().println("jspeed: error: " + t.getMessage());
            return 2;
        }
        throw new RuntimeException(e);
    }
}
