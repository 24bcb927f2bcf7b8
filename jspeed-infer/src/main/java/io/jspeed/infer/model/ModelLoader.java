package io.jspeed.infer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.infer.gguf.GgufConfig;
import io.jspeed.infer.gguf.GgufSource;
import io.jspeed.infer.gguf.GgufTokenizers;
import io.jspeed.model.Family;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.tokenizer.HfTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens what users already have: a GGUF file, a Hugging Face folder (config.json + model.safetensors or shards,
 * tokenizer.json), or a jspeed run directory / checkpoint (trainer.json + model.safetensors, the run's tokenizer.json).
 */
public final class ModelLoader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelLoader() {}

    public static LoadedModel load(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            if (isGguf(path)) return gguf(path);
            if (path.toString().endsWith(".safetensors") && Files.isRegularFile(path.resolveSibling("config.json")))
                return huggingFace(path.getParent());
            throw new IOException(path + " is neither a GGUF file nor a model directory");
        }
        if (!Files.isDirectory(path)) throw new IOException(path + " does not exist");
        if (Files.isRegularFile(path.resolve("trainer.json"))) return jspeed(path, path.getParent());
        Path latest = path.resolve("latest");
        if (Files.isRegularFile(latest)) {
            Path ckpt = path.resolve(Files.readString(latest).trim());
            if (!Files.isRegularFile(ckpt.resolve("trainer.json"))) throw new IOException(latest + " names " + ckpt + ", which holds no trainer.json");
            return jspeed(ckpt, path);
        }
        if (Files.isRegularFile(path.resolve("config.json"))) return huggingFace(path);
        throw new IOException(path + " is not a model: expected a .gguf file, a Hugging Face folder (config.json + model.safetensors) "
                + "or a jspeed run directory (latest + checkpoint-*)");
    }

    private static boolean isGguf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        }
    }

    private static LoadedModel gguf(Path path) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            LmConfig config = GgufConfig.read(file);
            GgufSource src = new GgufSource(file);
            LmWeights w = config.family() == Family.GPT2 ? GgufSource.gpt2(config, file) : HfLayout.assemble(config, src);
            if (file.contains("rope_freqs.weight")) {
                float[] factors = src.floats("rope_freqs.weight");
                w = new LmWeights(w.config(), w.tokenEmbedding(), w.positions(), w.layers(), w.finalNorm(), w.head(), factors);
            }
            Tokenizer tokenizer = null;
            String problem = null;
            try {
                tokenizer = GgufTokenizers.read(file);
            } catch (IOException | IllegalArgumentException e) {
                problem = "cannot read the tokenizer: " + e.getMessage();
            }
            SpecialTokens special = file.metadata().contains("tokenizer.ggml.model") ? GgufTokenizers.specialTokens(file) : SpecialTokens.NONE;
            return new LoadedModel(w, tokenizer, problem, special, "gguf " + dominantFormat(w), file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static LoadedModel huggingFace(Path dir) throws IOException {
        Path configFile = dir.resolve("config.json");
        LmConfig config = HfConfig.read(configFile);
        SafetensorsSource src = SafetensorsSource.open(dir);
        try {
            LmWeights w = HfLayout.assemble(config, src);
            JsonNode cfg = JSON.readTree(Files.readString(configFile));
            Path genConfig = dir.resolve("generation_config.json");
            JsonNode gen = Files.isRegularFile(genConfig) ? JSON.readTree(Files.readString(genConfig)) : JSON.createObjectNode();
            int bos = gen.path("bos_token_id").asInt(cfg.path("bos_token_id").asInt(-1));
            List<Integer> eos = ids(gen.has("eos_token_id") ? gen.get("eos_token_id") : cfg.path("eos_token_id"));
            SpecialTokens special = new SpecialTokens(bos, eos.stream().mapToInt(Integer::intValue).toArray(), config.family() == Family.LLAMA);
            Tokenizer tokenizer = null;
            String problem;
            Path tok = dir.resolve("tokenizer.json");
            if (!Files.isRegularFile(tok)) problem = dir + " has no tokenizer.json";
            else {
                problem = null;
                try {
                    tokenizer = HfTokenizer.load(tok);
                } catch (IllegalArgumentException e) {
                    problem = "cannot read " + tok + ": " + e.getMessage();
                }
            }
            return new LoadedModel(w, tokenizer, problem, special, "safetensors " + dominantFormat(w), src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static LoadedModel jspeed(Path checkpoint, Path runDir) throws IOException {
        LmConfig config = JspeedRunConfig.read(checkpoint.resolve("trainer.json"));
        SafetensorsSource src = SafetensorsSource.open(checkpoint.resolve("model.safetensors"));
        try {
            LmWeights w = HfLayout.assemble(config, src);
            Path tok = runDir.resolve("tokenizer.json");
            Tokenizer tokenizer = Files.isRegularFile(tok) ? Tokenizer.fromJson(Files.readString(tok), tok.toString()) : null;
            return new LoadedModel(w, tokenizer, runDir + " has no tokenizer.json", SpecialTokens.NONE, "jspeed checkpoint", src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static List<Integer> ids(JsonNode node) {
        List<Integer> out = new ArrayList<>();
        if (node.isInt()) out.add(node.asInt());
        else if (node.isArray()) node.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The format of the block matrices (what decode streams), e.g. Q8_0. */
    private static String dominantFormat(LmWeights w) {
        return w.layers().get(0).down().format();
    }
}
