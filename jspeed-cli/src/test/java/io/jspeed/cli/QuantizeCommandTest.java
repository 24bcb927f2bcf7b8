package io.jspeed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `jspeed quantize` on a tiny file, and its one-line errors. */
class QuantizeCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), err.toString());
    }

    private Path tiny() throws Exception {
        Path in = dir.resolve("in.gguf");
        float[] w = new float[4 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        new GgufWriter().putString("general.architecture", "llama").addF32("blk.0.ffn_up.weight", new long[] {4, 64}, w, 0)
                .addF32("token_embd.weight", new long[] {4, 64}, w, 0).write(in);
        return in;
    }

    @Test
    void quantizesAGgufToQ4_0() throws Exception {
        Path out = dir.resolve("out.gguf");
        Run r = run("quantize", "--to", "q4_0", tiny().toString(), out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("blk.0.ffn_up.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F32);
        }
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Run unknown = run("quantize", "--to", "q3", tiny().toString(), dir.resolve("o").toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown quantization \"q3\"; expected one of q8_0, q4_0, int8, int4");
        Path zip = dir.resolve("model.gguf");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
        Run notGguf = run("quantize", "--to", "q8_0", zip.toString(), dir.resolve("o.gguf").toString());
        assertThat(notGguf.exit()).isEqualTo(2);
        assertThat(notGguf.err()).contains("model.gguf: is a zip archive").doesNotContain("Exception");
        Run group = run("quantize", "--to", "int4", "--group", "48", tiny().toString(), dir.resolve("o.safetensors").toString());
        assertThat(group.err()).contains("--group 48; expected a positive multiple of 32");
    }
}
