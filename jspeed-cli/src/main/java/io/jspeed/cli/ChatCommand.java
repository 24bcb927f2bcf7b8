package io.jspeed.cli;

import io.jspeed.infer.Generator;
import io.jspeed.infer.Sampler;
import io.jspeed.infer.chat.ChatSession;
import io.jspeed.infer.chat.ChatTemplate;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.runtime.LanguageModel;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;
import io.jspeed.model.tokenizer.StreamingDecoder;
import io.jspeed.model.tokenizer.Tokenizer;
import io.jspeed.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a model in the terminal through its chat template (tokenizer_config.json's chat_template, or",
                "GGUF's tokenizer.chat_template). One line is one message; an empty line is skipped; /exit or end of input quits."})
final class ChatCommand implements Callable<Integer> {

    @Option(names = {"--model", "-m"}, required = true, paramLabel = "MODEL", description = "A Hugging Face folder or a .gguf file with a chat template.")
    Path model;

    @Option(names = "--system", description = "A system message to start the conversation with.")
    String system;

    @Option(names = {"--max-tokens", "-n"}, description = "Longest reply in tokens (default: ${DEFAULT-VALUE}).", defaultValue = "512")
    int maxTokens;

    /** A conversation reads better with some randomness and a floor under unlikely tokens than generate's defaults. */
    @Mixin
    SamplingOptions sampling = new SamplingOptions(0.7f, 0.05f);

    @Option(names = "--threads", description = "Worker threads (default: all processors).", defaultValue = "0")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Sampler sampler = new Sampler(sampling.settings());
        try (LoadedModel loaded = ModelLoader.load(model); Parallel pool = Parallel.withThreads(threads)) {
            Tokenizer tokenizer = loaded.requireTokenizer();
            ChatSession chat = new ChatSession(template(model, tokenizer, loaded), tokenizer, system);
            LanguageModel lm = new LanguageModel(loaded.weights(), pool);
            Generator generator = new Generator(lm);
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) break;
                if (line.isBlank()) continue;
                int[] prompt = chat.promptFor(line);
                StreamingDecoder decoder = new StreamingDecoder(tokenizer);
                StringBuilder reply = new StringBuilder();
                // Each turn re-reads the whole conversation into a fresh cache (prefill is the cheap part of a reply).
                Generator.Stats stats = generator.generate(lm.newSequence(), prompt, maxTokens, sampler, loaded.special().eos(), id -> {
                    String piece = decoder.next(id);
                    reply.append(piece);
                    out.print(piece);
                    out.flush();
                    return true;
                });
                String rest = decoder.flush();
                reply.append(rest);
                out.println(rest);
                chat.addReply(reply.toString());
                System.err.printf(Locale.ROOT, "[%d prompt tokens, %.1f tokens/s prefill; %d tokens, %.1f tokens/s]%n", stats.promptTokens(),
                        stats.prefillTokensPerSecond(), stats.generatedTokens(), stats.decodeTokensPerSecond());
            }
        }
        return 0;
    }

    /** The model's chat template: tokenizer_config.json beside a Hugging Face model, or the GGUF metadata. */
    private static ChatTemplate template(Path model, Tokenizer tokenizer, LoadedModel loaded) throws IOException {
        if (Files.isDirectory(model)) {
            Path config = model.resolve("tokenizer_config.json");
            if (!Files.isRegularFile(config)) throw new IOException(model + " has no tokenizer_config.json, so no chat template; use ./jspeed generate");
            return ChatTemplate.fromTokenizerConfig(config);
        }
        try (GgufFile gguf = GgufFile.open(model)) {
            GgufMetadata m = gguf.metadata();
            String template = m.optString("tokenizer.chat_template").orElseThrow(() -> new IOException(model
                    + " has no tokenizer.chat_template in its metadata; use ./jspeed generate"));
            Map<String, String> tokens = new HashMap<>();
            int bos = loaded.special().bos();
            int[] eos = loaded.special().eos();
            if (bos >= 0) tokens.put("bos_token", new String(tokenizer.tokenBytes(bos), StandardCharsets.UTF_8));
            if (eos.length > 0) tokens.put("eos_token", new String(tokenizer.tokenBytes(eos[0]), StandardCharsets.UTF_8));
            return new ChatTemplate(template, tokens, model.toString());
        }
    }
}
