package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small made-up tokenizer.json files exercising what the real ones do not (Metaspace with prepend_scheme "first",
 * Digits, every Split behaviour and invert, lstrip/rstrip and normalized added tokens, unk with fuse_unk,
 * ignore_merges, no decoder), against Hugging Face's tokenizers (src/test/fixtures-gen/generate-synthetic.mjs).
 */
class HfComponentsTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = HfComponentsTest.class.getResourceAsStream("/tokenizers-synthetic/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"metaspace", "unknowns", "splits"})
    void matchesHuggingFace(String name) throws IOException {
        HfTokenizer t = HfTokenizer.fromJson(resource(name + ".json"), name + ".json");
        JsonNode cases = new ObjectMapper().readTree(resource("expected.json")).get(name);
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            assertThat(t.encode(text)).as("%s: %s", name, text).containsExactly(ints(c.get("ids")));
            assertThat(t.encode(text, false)).as("%s: %s", name, text).containsExactly(ints(c.get("idsNoSpecial")));
            assertThat(t.decode(ints(c.get("idsNoSpecial")))).as("%s: decode %s", name, text)
                    .isEqualTo(c.get("decoded").asText());
        }
    }

    @Test
    void unknownComponentIsNamedWithTheFile() throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(resource("unknowns.json"));
        root.putObject("normalizer").put("type", "BertNormalizer");
        assertThatThrownBy(() -> HfTokenizer.fromJson(root.toString(), "bert/tokenizer.json"))
                .hasMessageContaining("bert/tokenizer.json").hasMessageContaining("normalizer.type")
                .hasMessageContaining("BertNormalizer");
        root.putNull("normalizer");
        ((ObjectNode) root.get("pre_tokenizer")).put("behavior", "Sideways");
        assertThatThrownBy(() -> HfTokenizer.fromJson(root.toString(), "t.json"))
                .hasMessageContaining("t.json").hasMessageContaining("pre_tokenizer.behavior")
                .hasMessageContaining("Sideways");
        ((ObjectNode) root.get("model")).put("type", "Unigram");
        assertThatThrownBy(() -> HfTokenizer.fromJson(root.toString(), "u.json"))
                .hasMessageContaining("u.json").hasMessageContaining("Unigram");
    }
}
