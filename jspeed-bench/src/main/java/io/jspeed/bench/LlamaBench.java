package io.jspeed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs llama.cpp's llama-bench on the same file for a side-by-side figure (pp and tg tokens/s from its JSON output). */
public final class LlamaBench {

    public record Result(double prefillTokensPerS, double decodeTokensPerS) {}

    private LlamaBench() {}

    public static Result run(Path llamaBench, Path model, int threads, int prefill, int decode) throws IOException {
        List<String> cmd = List.of(llamaBench.toString(), "-m", model.toString(), "-t", Integer.toString(threads),
                "-p", Integer.toString(prefill), "-n", Integer.toString(decode), "-o", "json");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        // Give the peer this JVM's launch environment, not the live one: the oneDNN binding setenv()s
        // OMP_WAIT_POLICY=PASSIVE in this process, and llama.cpp's OpenMP threads would then sleep between ops.
        if (System.getenv("OMP_WAIT_POLICY") == null) pb.environment().remove("OMP_WAIT_POLICY");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0)
                throw new IOException(String.join(" ", cmd) + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running llama-bench", e);
        }
        JsonNode runs = new ObjectMapper().readTree(out);
        double pp = Double.NaN, tg = Double.NaN;
        for (JsonNode r : runs) {
            if (r.path("n_gen").asInt() == 0) pp = r.path("avg_ts").asDouble();
            else if (r.path("n_prompt").asInt() == 0) tg = r.path("avg_ts").asDouble();
        }
        return new Result(pp, tg);
    }
}
