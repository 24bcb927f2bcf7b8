package io.jspeed.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a bench subcommand's results go: every result as one JSON line appended to out/bench.jsonl, and on stdout
 * either the same line (--json) or the subcommand's own table.
 */
final class BenchOutput {

    @Option(names = "--json", description = "Print one JSON object per line instead of a table.")
    boolean json;

    /** Appends the result to out/bench.jsonl and, with --json, prints it. */
    void record(String jsonLine) {
        append(jsonLine);
        if (json) System.out.println(jsonLine);
    }

    /** Whether the caller prints its table (no --json). */
    boolean wantsTable() {
        return !json;
    }

    private static void append(String json) {
        try {
            Path file = Path.of("out", "bench.jsonl");
            Files.createDirectories(file.getParent());
            Files.writeString(file, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("jspeed: could not append to out/bench.jsonl: " + e.getMessage());
        }
    }
}
