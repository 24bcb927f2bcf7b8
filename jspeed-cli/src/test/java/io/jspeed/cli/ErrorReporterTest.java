package io.jspeed.cli;

import io.jspeed.model.format.FormatException;
import io.jspeed.train.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** User errors become one line and exit code 2; bugs keep their stack trace and exit 1. */
class ErrorReporterTest {

    @Command(name = "fail")
    static final class Failing implements Callable<Integer> {
        private final Exception toThrow;

        Failing(Exception toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            throw toThrow;
        }
    }

    private record Run(int exit, String err) {}

    private static Run run(Exception toThrow) {
        CommandLine cli = new CommandLine(new Failing(toThrow));
        cli.setExecutionExceptionHandler(new ErrorReporter());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(), err.toString());
    }

    static Stream<Exception> userErrors() {
        return Stream.of(new ConfigException("model.n_head", "model.n_head=0: expected an integer >= 1"),
                new NoSuchFileException("data/missing.txt"),
                new FormatException(Path.of("model.safetensors"), "header length 99999 exceeds the file"),
                new IllegalArgumentException("--resume uses the run's own config.json; drop --config"));
    }

    @ParameterizedTest
    @MethodSource("userErrors")
    void userErrorsAreOneLineWithExitCode2(Exception e) {
        Run r = run(e);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("jspeed: error: " + e.getMessage() + System.lineSeparator());
    }

    @org.junit.jupiter.api.Test
    void anInternalIllegalStateExceptionKeepsItsStackTrace() {
        Run r = run(new IllegalStateException("Parallel pool is closed"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("internal error").contains("java.lang.IllegalStateException: Parallel pool is closed")
                .contains("\tat io.jspeed.cli.ErrorReporterTest");
    }
}
