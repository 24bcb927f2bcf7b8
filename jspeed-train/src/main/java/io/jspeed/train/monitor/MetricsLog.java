package io.jspeed.train.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Machine-readable training metrics, one JSON object per line (metrics.jsonl), flushed per record so a crash
 * loses nothing that was printed. Also keeps the loss history for the plot.
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;
    private final List<double[]> trainLoss = new ArrayList<>();
    private final List<double[]> evalLoss = new ArrayList<>();

    /**
     * Opens the log; when resuming, keeps only records up to and including {@code keepThroughStep} (a run that
     * died after its last checkpoint logged steps the resumed run will redo).
     */
    public MetricsLog(Path file, int keepThroughStep) throws IOException {
        List<String> kept = new ArrayList<>();
        if (keepThroughStep >= 0 && Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                var node = JSON.readTree(line);
                int step = node.path("step").asInt(-1);
                if (step > keepThroughStep) continue;
                kept.add(line);
                String type = node.path("type").asText();
                if (type.equals("train")) trainLoss.add(new double[] {step, node.path("loss").asDouble()});
                if (type.equals("eval")) evalLoss.add(new double[] {step, node.path("loss").asDouble()});
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        for (String line : kept) {
            out.write(line);
            out.newLine();
        }
        out.flush();
    }

    public ObjectNode record(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    public void write(ObjectNode record) {
        String type = record.path("type").asText();
        if (type.equals("train")) trainLoss.add(new double[] {record.path("step").asInt(), record.path("loss").asDouble()});
        if (type.equals("eval")) evalLoss.add(new double[] {record.path("step").asInt(), record.path("loss").asDouble()});
        try {
            out.write(JSON.writeValueAsString(record));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<double[]> trainLoss() {
        return trainLoss;
    }

    public List<double[]> evalLoss() {
        return evalLoss;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
