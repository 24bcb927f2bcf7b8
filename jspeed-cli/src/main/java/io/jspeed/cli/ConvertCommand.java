package io.jspeed.cli;

import io.jspeed.infer.convert.ModelConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a model: a jspeed run, a Hugging Face folder or a GGUF file (GPT-2, Llama/Mistral, Qwen2, Qwen3).",
                "--to gguf: llama.cpp's tensor names, metadata and tokenizer; llama.cpp loads the file.",
                "--to safetensors: a Hugging Face folder (config.json, model.safetensors, tokenizer files).",
                "The weights are the ones jspeed loads: greedy decoding gives the source's tokens (f32 exactly)."})
final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--to", description = "Output format: gguf or safetensors (default: ${DEFAULT-VALUE}).", defaultValue = "gguf")
    String to;

    @Option(names = "--type", description = {"Storage of the weights (default: ${DEFAULT-VALUE}).",
            "gguf: f32, f16, q8_0 or q4_0 for the matrices (token embeddings f32 or f16; norms and biases f32).",
            "safetensors: f32, f16 or bf16 for every tensor (grouped int8/int4: ./jspeed quantize on the result)."},
            defaultValue = "f32")
    String type;

    @Parameters(index = "0", paramLabel = "IN", description = "A jspeed run or checkpoint directory, a Hugging Face folder, or a .gguf file.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .gguf file, or the new folder for safetensors.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelConverter.Report r = ModelConverter.convert(in, out, ModelConverter.format(to), type);
        System.out.printf(Locale.ROOT, "wrote %s (%.1f MB of weights): %s%n", r.output(), r.bytes() / 1e6, r.summary());
        for (String note : r.notes()) System.out.println("note: " + note);
        return 0;
    }
}
