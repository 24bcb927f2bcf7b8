package io.jspeed.cli;

import io.jspeed.infer.quantize.ModelQuantizer;
import io.jspeed.infer.quantize.QuantTarget;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model's weight matrices; norms and biases (and embeddings unless --all) keep their precision.",
                "q8_0/q4_0 write a GGUF file llama.cpp loads when IN is a GGUF or a model folder (a jspeed run or Hugging Face",
                "folder goes through convert: llama.cpp's names and tokenizer). int8/int4 write grouped safetensors (a Hugging",
                "Face folder or jspeed run IN gives a Hugging Face folder OUT with config.json and the tokenizer files)."})
final class QuantizeCommand implements Callable<Integer> {

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "q8_0, q4_0, int8 or int4.")
    String to;

    @Option(names = "--group", description = "Weights per scale for int8/int4, a multiple of 32 (default: ${DEFAULT-VALUE}).",
            defaultValue = "128")
    int group;

    @Option(names = "--scales", paramLabel = "f16|f32", description = "Scale precision for int8/int4 (default: ${DEFAULT-VALUE}).",
            defaultValue = "f16")
    String scales;

    @Option(names = "--all", description = "Quantize the embeddings too.")
    boolean all;

    @Parameters(index = "0", paramLabel = "IN", description = "A GGUF file, a safetensors file, a Hugging Face model folder or a jspeed run.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF or safetensors file (or folder) to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        QuantTarget target = QuantTarget.parse(to);
        boolean f16 = switch (scales.toLowerCase(Locale.ROOT)) {
            case "f16" -> true;
            case "f32" -> false;
            default -> throw new IllegalArgumentException("--scales " + scales + "; expected f16 or f32");
        };
        if (group <= 0 || group % 32 != 0) {
            throw new IllegalArgumentException("--group " + group + "; expected a positive multiple of 32");
        }
        ModelQuantizer.Report report = ModelQuantizer.quantize(in, out, new ModelQuantizer.Options(target, group, all, f16));
        System.out.printf(Locale.ROOT, "quantized %d of %d tensors to %s; wrote %s (%.1f MB)%n", report.quantizedCount(),
                report.entries().size(), target.name().toLowerCase(Locale.ROOT), report.output(), report.bytes() / 1e6);
        for (String note : report.notes()) {
            System.out.println("note: " + note);
        }
        return 0;
    }
}
