package io.jspeed.infer.gguf;

import io.jspeed.infer.model.SpecialTokens;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufTokenizersTest {

    /** GPT-2's byte-to-character alphabet, in byte order. */
    private static List<String> byteAlphabet() {
        List<String> out = new ArrayList<>();
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out.add(String.valueOf(printable ? (char) b : (char) (256 + shifted++)));
        }
        return out;
    }

    private static GgufWriter withTensor() {
        return new GgufWriter().add("token_embd.weight", GgmlType.F32, new long[] {1, 4}, new float[4], 0);
    }

    @Test
    void byteLevelBpeFromTokensAndMerges(@TempDir Path dir) throws Exception {
        List<String> tokens = new ArrayList<>(byteAlphabet());
        tokens.addAll(List.of("he", "ll", "hell", "hello", "Ġw", "<|endoftext|>"));
        Path file = dir.resolve("t.gguf");
        withTensor().putString("tokenizer.ggml.model", "gpt2").putStrings("tokenizer.ggml.tokens", tokens)
                .putStrings("tokenizer.ggml.merges", List.of("h e", "l l", "he ll", "hell o", "Ġ w"))
                .putUint32("tokenizer.ggml.eos_token_id", tokens.size() - 1).write(file);
        try (GgufFile f = GgufFile.open(file)) {
            Tokenizer t = GgufTokenizers.read(f);
            int hello = tokens.indexOf("hello"), w = tokens.indexOf("Ġw");
            assertThat(t.encode("hello world")).startsWith(hello, w);
            assertThat(t.decode(t.encode("hello world"))).isEqualTo("hello world");
            SpecialTokens special = GgufTokenizers.specialTokens(f);
            assertThat(special.eos()).containsExactly(tokens.size() - 1);
            assertThat(special.addBos()).isFalse();
        }
    }

    @Test
    void sentencePieceSpecialsAndUnsupportedModels(@TempDir Path dir) throws Exception {
        Path spm = dir.resolve("spm.gguf");
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "▁a"));
        withTensor().putString("tokenizer.ggml.model", "llama").putStrings("tokenizer.ggml.tokens", tokens)
                .putUint32("tokenizer.ggml.bos_token_id", 1).putUint32("tokenizer.ggml.eos_token_id", 2).write(spm);
        try (GgufFile f = GgufFile.open(spm)) {
            SpecialTokens special = GgufTokenizers.specialTokens(f);
            assertThat(special.prompt(new int[] {3})).containsExactly(1, 3);
            assertThat(GgufTokenizers.read(f).encode("a")).containsExactly(3);
        }
        Path other = dir.resolve("other.gguf");
        withTensor().putString("tokenizer.ggml.model", "bert").putStrings("tokenizer.ggml.tokens", tokens).write(other);
        try (GgufFile f = GgufFile.open(other)) {
            assertThatThrownBy(() -> GgufTokenizers.read(f)).hasMessageContaining("\"bert\"").hasMessageContaining("other.gguf");
        }
    }
}
