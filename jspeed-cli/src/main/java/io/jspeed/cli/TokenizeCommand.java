package io.jspeed.cli;

import io.jspeed.model.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print the token ids of TEXT on one line (comma-separated), or with --decode the text of ids, "
                + "under a Hugging Face tokenizer.json (ids as Hugging Face's tokenizers library gives them).")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A model folder holding tokenizer.json, or the tokenizer.json (or .json.gz) itself.")
    Path model;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to encode.")
    String text;

    @Option(names = "--decode", paramLabel = "IDS", description = "Comma-separated ids to turn back into text.")
    String decode;

    @Option(names = "--no-special", description = "Encode without the special tokens the tokenizer adds (BOS); "
            + "with --decode, leave special tokens out of the text.")
    boolean noSpecial;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((text == null) == (decode == null)) {
            throw new IllegalArgumentException("give either TEXT to encode or --decode IDS, not "
                    + (text == null ? "neither" : "both"));
        }
        HfTokenizer tokenizer = HfTokenizer.load(tokenizerFile(model));
        if (decode != null) {
            spec.commandLine().getOut().println(tokenizer.decode(parseIds(decode, tokenizer.vocabSize()), noSpecial));
        } else {
            int[] ids = tokenizer.encode(text, !noSpecial);
            spec.commandLine().getOut().println(Arrays.stream(ids).mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static Path tokenizerFile(Path model) {
        if (model.getFileName() != null && model.getFileName().toString().endsWith(".gguf")) {
            throw new IllegalArgumentException(model + ": GGUF tokenizers are not supported yet; "
                    + "pass the model folder holding tokenizer.json");
        }
        if (!Files.exists(model)) throw new IllegalArgumentException(model + ": no such file or folder");
        return model;
    }

    private static int[] parseIds(String list, int vocabSize) {
        String[] parts = list.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--decode: \"" + parts[i].strip() + "\" is not a token id");
            }
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("--decode: id " + ids[i] + " outside [0, " + vocabSize + ")");
            }
        }
        return ids;
    }
}
