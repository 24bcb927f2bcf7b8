package io.jspeed.infer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template rendered as Hugging Face's apply_chat_template(tokenize=False) does: Jinja with
 * trim_blocks and lstrip_blocks, the variables {@code messages}, {@code add_generation_prompt}, the special tokens
 * of the tokenizer config ({@code bos_token}, {@code eos_token}, ...), and the helpers templates call
 * ({@code raise_exception}, {@code strftime_now}, Python's {@code tojson} layout). Immutable; each render uses a fresh Jinja context. A template
 * comes with a model file, so it is not trusted: it can read no other template or resource, and its output is capped.
 * The rendered prompt already holds the BOS token where the model wants it, so encode it without adding special
 * tokens again ({@code HfTokenizer.encode(prompt, false)}), as Hugging Face does.
 */
public final class ChatTemplate {

    /** One turn of a conversation. */
    public record Message(String role, String content) {}

    /** Far beyond any real prompt: a runaway template stops here instead of filling the heap. */
    private static final long MAX_OUTPUT_CHARS = 64L << 20;
    private static final List<String> TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token", "pad_token");

    private final String template;
    private final Map<String, String> specialTokens;
    private final String source;
    private final Jinjava jinjava;

    /**
     * @param template      the Jinja source
     * @param specialTokens e.g. {@code bos_token -> "<s>"}; exposed to the template under those names
     * @param source        names the template in errors (a file, or a GGUF key)
     */
    public ChatTemplate(String template, Map<String, String> specialTokens, String source) {
        this.template = Pythonisms.rewrite(template);
        this.specialTokens = Map.copyOf(specialTokens);
        this.source = source;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .build());
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new ResourceNotFoundException(source + ": chat templates may not include other files (" + name + ")");
        });
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class, "strftimeNow", String.class));
        StringMethodFilter.all().forEach(jinjava.getGlobalContext()::registerFilter);
        jinjava.getGlobalContext().registerFilter(new PythonJsonFilter());
    }

    /** Reads {@code chat_template} and the special tokens from a Hugging Face tokenizer_config.json. */
    public static ChatTemplate fromTokenizerConfig(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": expected a JSON object");
        JsonNode node = root.get("chat_template");
        String template = null;
        if (node != null && node.isTextual()) {
            template = node.asText();
        } else if (node != null && node.isArray()) {
            // Some configs list named templates: [{"name": "default", "template": "..."}, ...].
            for (JsonNode t : node) {
                if ("default".equals(t.path("name").asText())) template = t.path("template").asText(null);
            }
        }
        if (template == null) {
            throw new IOException(file + ": no \"chat_template\" string (this tokenizer has no chat template)");
        }
        Map<String, String> tokens = new HashMap<>();
        for (String key : TOKEN_KEYS) {
            JsonNode t = root.get(key);
            // A token is a string, or an AddedToken object {"content": "<s>", ...}.
            String content = t == null ? null : t.isTextual() ? t.asText() : t.path("content").asText(null);
            if (content != null) tokens.put(key, content);
        }
        return new ChatTemplate(template, tokens, file.toString());
    }

    /** The prompt text for {@code messages}; with {@code addGenerationPrompt}, ending where the assistant speaks. */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #render(List, boolean)}, with more template variables: e.g. {@code tools} (a list of JSON-like
     * maps) or Qwen 3's {@code enable_thinking}. Values are maps, lists, strings, numbers, booleans or null.
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.putAll(variables);
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException(source + ": chat template failed at line " + error.getLineno()
                        + ": " + raisedMessage(error.getException()).orElse(error.getMessage()));
            }
        }
        return result.getOutput();
    }

    /** The template as Jinjava renders it (after the rewrites of Python idioms Jinjava lacks). */
    public String template() {
        return template;
    }

    /** Called by templates as {@code raise_exception("...")}, e.g. when roles do not alternate. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** What raise_exception throws; Jinjava wraps it, so the render looks for it among the causes. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    private static Optional<String> raisedMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Raised) return Optional.of("raise_exception: " + t.getMessage());
        }
        return Optional.empty();
    }

    /** Called by templates as {@code strftime_now("%d %b %Y")} (Llama 3.1 puts today's date in the system turn). */
    public static String strftimeNow(String format) {
        return Strftime.format(format, LocalDateTime.now());
    }
}
