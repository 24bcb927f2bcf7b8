package io.jspeed.infer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat templates of the real tokenizer_config.json files (Llama 3, Qwen 3, Gemma 3, fixtures of jspeed-model)
 * rendered for a two-turn conversation, against @huggingface/transformers' apply_chat_template(tokenize: false).
 */
class ChatTemplateTest {

    /** The fixtures live once, in jspeed-model's test resources; Maven runs tests from the module folder. */
    private static final Path FIXTURES = Path.of("..", "jspeed-model", "src", "test", "resources", "tokenizers");

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "gemma3"})
    void rendersLikeTransformers(String name) throws IOException {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(FIXTURES.resolve(name).resolve("tokenizer_config.json"));
        JsonNode chat = new ObjectMapper().readTree(FIXTURES.resolve(name).resolve("expected.json").toFile()).get("chat");
        List<ChatTemplate.Message> messages = messages(chat.get("messages"));
        assertThat(template.render(messages, false)).isEqualTo(chat.get("withoutGenerationPrompt").asText());
        assertThat(template.render(messages, true)).isEqualTo(chat.get("withGenerationPrompt").asText());
        // assistant turns with <think> blocks, which Qwen 3's template takes apart with split/strip/lstrip
        assertThat(template.render(messages(chat.get("thinking").get("messages")), false))
                .isEqualTo(chat.get("thinking").get("rendered").asText());
    }

    private static List<ChatTemplate.Message> messages(JsonNode list) {
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (JsonNode m : list) messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText()));
        return messages;
    }

    @Test
    void configWithoutTemplateIsNamed() {
        Path config = FIXTURES.resolve("llama2").resolve("tokenizer_config.json");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(config))
                .hasMessageContaining(config.toString()).hasMessageContaining("chat_template");
    }

    @Test
    void raiseExceptionStopsTheRender() throws IOException {
        ChatTemplate gemma = ChatTemplate.fromTokenizerConfig(FIXTURES.resolve("gemma3").resolve("tokenizer_config.json"));
        List<ChatTemplate.Message> twoUsers = List.of(new ChatTemplate.Message("user", "a"),
                new ChatTemplate.Message("user", "b"));
        assertThatThrownBy(() -> gemma.render(twoUsers, true)).hasMessageContaining("roles must alternate");
    }

    /** tojson must lay JSON out as Python's json.dumps does (transformers.js agrees), or tool prompts change. */
    @Test
    void tojsonMatchesTransformers() throws IOException {
        JsonNode fixture = new ObjectMapper().readTree(FIXTURES.resolveSibling("tokenizers-synthetic")
                .resolve("tojson.json").toFile());
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = new ObjectMapper().convertValue(fixture.get("variables"), Map.class);
        for (JsonNode c : fixture.get("cases")) {
            ChatTemplate t = new ChatTemplate(c.get("template").asText(), Map.of(), "tojson");
            assertThat(t.render(List.of(), false, variables)).as(c.get("template").asText())
                    .isEqualTo(c.get("rendered").asText());
        }
    }

    @Test
    void templatesCannotReadOtherFiles() {
        ChatTemplate t = new ChatTemplate("{% include 'tokenizer_config.json' %}", Map.of(), "evil.json");
        assertThatThrownBy(() -> t.render(List.of(), false)).hasMessageContaining("evil.json")
                .hasMessageContaining("may not include");
    }

    @Test
    void exposesSpecialTokensAndHelpers() {
        ChatTemplate t = new ChatTemplate("{{ bos_token }}{{ strftime_now('%Y') | length }}{{ messages | length }}",
                Map.of("bos_token", "<s>"), "inline");
        assertThat(t.render(List.of(new ChatTemplate.Message("user", "x")), false)).isEqualTo("<s>41");
    }
}
