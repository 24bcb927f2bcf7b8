package io.jspeed.infer.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.infer.gguf.SentencePieceBpe;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufWriter;
import io.jspeed.model.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real tokenizer.json files (Hugging Face's reference ids in expected.json beside them) carried into a GGUF
 * vocabulary and back: the SentencePiece scores derived from merges tokenize as Hugging Face does with llama.cpp's
 * algorithm, and the tokenizer.json rebuilt from a vocabulary tokenizes as the original.
 */
class VocabularyConversionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("../jspeed-model/src/test/resources/tokenizers");

    private static JsonNode tokenizer(String name) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FIXTURES.resolve(name).resolve("tokenizer.json.gz")))) {
            return JSON.readTree(in);
        }
    }

    private static Vocabulary vocabulary(String name) throws Exception {
        return HfVocabulary.parse(tokenizer(name), JSON.readTree(FIXTURES.resolve(name).resolve("tokenizer_config.json").toFile()),
                null, HfVocabulary.ConfigIds.NONE, name);
    }

    private static JsonNode cases(String name) throws Exception {
        return JSON.readTree(FIXTURES.resolve(name).resolve("expected.json").toFile()).get("cases");
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
        return out;
    }

    @Test
    void sentencePieceScoresFromMergesTokenizeAsHuggingFace() throws Exception {
        Vocabulary v = vocabulary("llama2");
        assertThat(v.kind()).isEqualTo(Vocabulary.Kind.SENTENCEPIECE);
        assertThat(v.addSpacePrefix()).isTrue();
        assertThat(v.specials()).isEqualTo(new Vocabulary.Specials(1, 2, -1, 0, -1, true, false));
        assertThat(v.types()[0]).isEqualTo(Vocabulary.CONTROL); // <unk> is an added special token in this file
        assertThat(v.types()[3 + 0x0A]).isEqualTo(Vocabulary.BYTE);
        SentencePieceBpe spm = new SentencePieceBpe(v.tokens().toArray(String[]::new), v.scores(), v.types(), 0, true);
        int compared = 0;
        for (JsonNode c : cases("llama2")) {
            String text = c.get("text").asText();
            if (text.contains("<s>") || text.contains("</s>") || text.contains("<unk>")) continue; // added tokens: not SPM's job
            assertThat(spm.encode(text)).as(text).containsExactly(ints(c.get("idsNoSpecial")));
            compared++;
        }
        assertThat(compared).isGreaterThan(60);
    }

    @Test
    void rebuiltTokenizerJsonTokenizesAsTheOriginal() throws Exception {
        for (String name : new String[] {"llama2", "llama3", "qwen3"}) {
            Vocabulary v = vocabulary(name);
            HfTokenizer rebuilt = HfTokenizer.fromJson(HfVocabulary.tokenizerJson(v, true), name + " rebuilt");
            for (JsonNode c : cases(name)) {
                String text = c.get("text").asText();
                assertThat(rebuilt.encode(text, false)).as(name + ": " + text).containsExactly(ints(c.get("idsNoSpecial")));
                assertThat(rebuilt.encode(text, true)).as(name + ": " + text).containsExactly(ints(c.get("ids")));
            }
        }
    }

    @Test
    void byteLevelFilesNameLlamaCppsPreTokenizer() throws Exception {
        Vocabulary llama3 = vocabulary("llama3"), qwen3 = vocabulary("qwen3");
        assertThat(llama3.kind()).isEqualTo(Vocabulary.Kind.BYTE_LEVEL);
        assertThat(llama3.pre()).isEqualTo("llama-bpe");
        assertThat(llama3.size()).isEqualTo(128256);
        assertThat(llama3.specials().bos()).isEqualTo(128000);
        assertThat(llama3.specials().eos()).isEqualTo(128001);
        assertThat(llama3.types()[128000]).isEqualTo(Vocabulary.CONTROL);
        assertThat(llama3.chatTemplate()).contains("start_header_id");
        assertThat(qwen3.pre()).isEqualTo("qwen2");
        assertThat(qwen3.specials().bos()).isEqualTo(-1);
        assertThat(qwen3.specials().eos()).isEqualTo(151645);
        assertThat(qwen3.specials().padding()).isEqualTo(151643);
        assertThat(qwen3.specials().addBos()).isFalse();
        assertThat(qwen3.types()[151665 - 1]).isIn(Vocabulary.CONTROL, Vocabulary.USER_DEFINED);
    }

    @Test
    void ggufMetadataRoundTrip(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"llama2", "qwen3"}) {
            Vocabulary v = vocabulary(name).paddedTo(vocabulary(name).size() + 3);
            GgufWriter w = new GgufWriter();
            GgufVocabulary.write(v, w);
            Path file = dir.resolve(name + ".gguf");
            w.write(file);
            try (GgufFile f = GgufFile.open(file)) {
                Vocabulary back = GgufVocabulary.read(f);
                assertThat(back.kind()).isEqualTo(v.kind());
                assertThat(back.tokens()).isEqualTo(v.tokens());
                assertThat(back.types()).containsExactly(v.types());
                if (v.scores() != null) assertThat(back.scores()).containsExactly(v.scores());
                assertThat(back.merges()).isEqualTo(v.merges());
                assertThat(back.pre()).isEqualTo(v.pre());
                assertThat(back.addSpacePrefix()).isEqualTo(v.addSpacePrefix());
                assertThat(back.specials()).isEqualTo(v.specials());
                assertThat(back.chatTemplate()).isEqualTo(v.chatTemplate());
                assertThat(back.withoutTrailingUnused().size()).isEqualTo(v.size() - 3);
            }
        }
    }

    @Test
    void unsupportedTokenizersAreNamed() throws Exception {
        JsonNode unigram = JSON.readTree("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThatThrownBy(() -> HfVocabulary.parse(unigram, JSON.createObjectNode(), null, HfVocabulary.ConfigIds.NONE, "t5/tokenizer.json"))
                .hasMessageContaining("t5/tokenizer.json").hasMessageContaining("model.type \"Unigram\"");
        JsonNode whitespace = JSON.readTree("{\"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        assertThatThrownBy(() -> HfVocabulary.parse(whitespace, JSON.createObjectNode(), null, HfVocabulary.ConfigIds.NONE, "x.json"))
                .hasMessageContaining("pre_tokenizer {\"type\":\"Whitespace\"} has no llama.cpp equivalent");
        Vocabulary v = vocabulary("qwen3").withPre("deepseek-llm");
        assertThatThrownBy(() -> HfVocabulary.tokenizerJson(v, false)).hasMessageContaining("tokenizer.ggml.pre \"deepseek-llm\"");
    }
}
