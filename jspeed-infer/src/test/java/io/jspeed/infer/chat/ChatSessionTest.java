package io.jspeed.infer.chat;

import io.jspeed.model.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A two-turn conversation with Llama 3's real template and tokenizer: what the chat command feeds the model. */
class ChatSessionTest {

    private static final Path LLAMA3 = Path.of("..", "jspeed-model", "src", "test", "resources", "tokenizers", "llama3");

    @Test
    void eachTurnPromptsWithTheWholeConversationRenderedAndTokenizedWithoutExtraSpecialTokens() throws IOException {
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(LLAMA3.resolve("tokenizer_config.json"));
        HfTokenizer tokenizer = HfTokenizer.load(LLAMA3);
        ChatSession chat = new ChatSession(template, tokenizer, "Be brief.");

        int[] first = chat.promptFor("Hi there");
        String firstText = tokenizer.decode(first);
        assertThat(firstText).startsWith("<|begin_of_text|>").contains("Be brief.").contains("Hi there")
                .endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n");
        int bos = tokenizer.tokenId("<|begin_of_text|>");
        assertThat(first[0]).isEqualTo(bos);
        assertThat(first[1]).as("one BOS, from the template only").isNotEqualTo(bos);

        chat.addReply("Hello! ");
        int[] second = chat.promptFor("And now?");
        assertThat(tokenizer.decode(second)).startsWith(firstText + "Hello!<|eot_id|>").contains("And now?");
        assertThat(chat.messages()).extracting(ChatTemplate.Message::role).isEqualTo(List.of("system", "user", "assistant", "user"));
        assertThat(second).isEqualTo(tokenizer.encode(template.render(chat.messages(), true), false));
    }
}
