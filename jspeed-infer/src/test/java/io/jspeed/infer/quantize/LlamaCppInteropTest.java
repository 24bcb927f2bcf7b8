package io.jspeed.infer.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufTensor;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF files jspeed writes load and run in llama.cpp, and jspeed's Q8_0/Q4_0 blocks are llama-quantize's, byte for
 * byte. Needs the llama.cpp peer binaries at ../shared/peers/llama.cpp/bin (searched upward from the working
 * directory); skipped with a notice where they are absent.
 */
class LlamaCppInteropTest {

    private static Path bin;

    @TempDir
    Path dir;

    @BeforeAll
    static void findLlamaCpp() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/peers/llama.cpp/bin");
            if (Files.isExecutable(candidate.resolve("llama-simple"))) {
                bin = candidate;
                return;
            }
        }
        System.err.println("NOTICE: LlamaCppInteropTest skipped: no shared/peers/llama.cpp/bin above " + Path.of("").toAbsolutePath());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, bin.resolve(command[0]).toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        // a guard against a hung child, not a measurement
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void llamaCppRunsQuantizedFilesJspeedWrote() throws Exception {
        Assumptions.assumeTrue(bin != null, "llama.cpp binaries not found");
        Path f32 = TinyLlama.write(dir.resolve("tiny-f32.gguf"));
        for (QuantTarget target : new QuantTarget[] {QuantTarget.Q8_0, QuantTarget.Q4_0}) {
            Path out = dir.resolve("tiny-" + target + ".gguf");
            ModelQuantizer.quantize(f32, out, new ModelQuantizer.Options(target, 128, false, true));
            Result r = run("llama-simple", "-m", out.toString(), "-n", "4", "hello");
            assertThat(r.exit()).as(r.output()).isZero();
            assertThat(r.output()).contains("n_vocab").contains("type " + target.name().toLowerCase() + ":");
        }
        Result r = run("llama-simple", "-m", f32.toString(), "-n", "4", "hello");
        assertThat(r.exit()).as(r.output()).isZero();
    }

    @Test
    void jspeedQuantBlocksEqualLlamaQuantizes() throws Exception {
        Assumptions.assumeTrue(bin != null, "llama.cpp binaries not found");
        Path f32 = TinyLlama.write(dir.resolve("tiny-f32.gguf"));
        for (QuantTarget target : new QuantTarget[] {QuantTarget.Q8_0, QuantTarget.Q4_0}) {
            Path theirs = dir.resolve("llama-" + target + ".gguf");
            Result r = run("llama-quantize", f32.toString(), theirs.toString(), target.name());
            assertThat(r.exit()).as(r.output()).isZero();
            Path ours = dir.resolve("jspeed-" + target + ".gguf");
            ModelQuantizer.quantize(f32, ours, new ModelQuantizer.Options(target, 128, false, true));
            int compared = 0;
            try (GgufFile a = GgufFile.open(ours); GgufFile b = GgufFile.open(theirs)) {
                for (GgufTensor t : a.tensors()) {
                    GgufTensor u = b.tensor(t.name());
                    if (t.type() == target.ggmlType() && u.type() == target.ggmlType()) {
                        assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).as(t.name()).containsExactly(u.data().toArray(ValueLayout.JAVA_BYTE));
                        compared++;
                    }
                }
            }
            assertThat(compared).as("tensors both quantized to " + target).isGreaterThanOrEqualTo(7 * TinyLlama.LAYERS);
        }
    }
}
