package io.jspeed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `jspeed tokenize` on the real Llama 2 tokenizer (a fixture of jspeed-model) against Hugging Face's ids. */
class TokenizeCommandTest {

    private static final Path LLAMA2 = Path.of("..", "jspeed-model", "src", "test", "resources", "tokenizers", "llama2");

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString().strip(), err.toString());
    }

    private static String expectedIds(String text, String field) throws Exception {
        for (JsonNode c : new ObjectMapper().readTree(LLAMA2.resolve("expected.json").toFile()).get("cases")) {
            if (c.get("text").asText().equals(text)) {
                StringBuilder s = new StringBuilder();
                for (JsonNode id : c.get(field)) s.append(s.isEmpty() ? "" : ",").append(id.asInt());
                return s.toString();
            }
        }
        throw new AssertionError(text + " is not in expected.json");
    }

    @Test
    void printsHuggingFaceIdsAndDecodesThem() throws Exception {
        String text = "Hello, world! How are you?";
        Run withBos = run("tokenize", "--model", LLAMA2.toString(), text);
        assertThat(withBos.exit()).isZero();
        assertThat(withBos.out()).isEqualTo(expectedIds(text, "ids"));
        Run without = run("tokenize", "--model", LLAMA2.toString(), "--no-special", text);
        assertThat(without.out()).isEqualTo(expectedIds(text, "idsNoSpecial"));
        assertThat(run("tokenize", "--model", LLAMA2.toString(), "--decode", without.out()).out()).isEqualTo(text);
        assertThat(run("tokenize", "--model", LLAMA2.toString(), "--no-special", "--decode", withBos.out()).out())
                .isEqualTo(text);
    }

    @Test
    void badInputIsOneLine() {
        Run gguf = run("tokenize", "--model", "m.gguf", "hi");
        assertThat(gguf.exit()).isEqualTo(2);
        assertThat(gguf.err()).contains("m.gguf").contains("not supported yet");
        Run badId = run("tokenize", "--model", LLAMA2.toString(), "--decode", "1,x");
        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.err()).contains("\"x\"");
        Run both = run("tokenize", "--model", LLAMA2.toString(), "--decode", "1", "hi");
        assertThat(both.err()).contains("not both");
    }
}
