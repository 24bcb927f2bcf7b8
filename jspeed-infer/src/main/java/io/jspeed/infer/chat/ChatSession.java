package io.jspeed.infer.chat;

import io.jspeed.model.tokenizer.HfTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * One conversation: the messages so far, rendered through the model's chat template into the prompt of the next
 * reply. The template writes the special tokens itself (BOS, turn markers), so the text is tokenized without the
 * tokenizer's own post-processing, as Hugging Face's apply_chat_template(tokenize=True) does.
 */
public final class ChatSession {

    private final ChatTemplate template;
    private final Tokenizer tokenizer;
    private final List<ChatTemplate.Message> messages = new ArrayList<>();

    public ChatSession(ChatTemplate template, Tokenizer tokenizer, String systemPromptOrNull) {
        this.template = template;
        this.tokenizer = tokenizer;
        if (systemPromptOrNull != null && !systemPromptOrNull.isBlank()) messages.add(new ChatTemplate.Message("system", systemPromptOrNull));
    }

    /** Adds the user's message and returns the token ids the model continues to write its reply. */
    public int[] promptFor(String userMessage) {
        messages.add(new ChatTemplate.Message("user", userMessage));
        String text = template.render(messages, true);
        return tokenizer instanceof HfTokenizer hf ? hf.encode(text, false) : tokenizer.encode(text);
    }

    /** Records the model's reply, so the next prompt carries the whole conversation. */
    public void addReply(String reply) {
        messages.add(new ChatTemplate.Message("assistant", reply.strip()));
    }

    public List<ChatTemplate.Message> messages() {
        return List.copyOf(messages);
    }
}
