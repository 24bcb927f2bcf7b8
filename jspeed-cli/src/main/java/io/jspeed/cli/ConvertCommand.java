package io.jspeed.cli;

import io.jspeed.infer.convert.Gpt2ToGguf;
import io.jspeed.model.format.gguf.GgmlType;
import io.jspeed.train.checkpoint.Checkpointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Write a jspeed GPT-2 run or checkpoint as a GGUF file that llama.cpp loads (tensor names, layout and tokenizer as llama.cpp expects).")
final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--to", description = "Output format: gguf (default: ${DEFAULT-VALUE}).", defaultValue = "gguf")
    String to;

    @Option(names = "--type", description = "Storage of the matrices: f32, f16, q8_0 or q4_0 (default: ${DEFAULT-VALUE}); embeddings, norms and biases stay f32.",
            defaultValue = "f32")
    String type;

    @Parameters(index = "0", paramLabel = "IN", description = "A jspeed run directory or checkpoint directory.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .gguf file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!to.equalsIgnoreCase("gguf")) throw new IllegalArgumentException("--to " + to + ": this build converts to gguf only");
        GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "q8_0" -> GgmlType.Q8_0;
            case "q4_0" -> GgmlType.Q4_0;
            default -> throw new IllegalArgumentException("--type " + type + ": expected f32, f16, q8_0 or q4_0");
        };
        Path checkpoint = Checkpointer.resolve(in);
        Path tokenizer = checkpoint.resolveSibling("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) tokenizer = in.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer))
            throw new IllegalArgumentException(in + ": no tokenizer.json beside the checkpoint; convert needs the run's tokenizer");
        Gpt2ToGguf.convert(checkpoint, tokenizer, t, out);
        System.out.println("wrote " + out + " (" + Files.size(out) / 1048576 + " MiB, matrices " + t + ")");
        return 0;
    }
}
