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
        ModelLocation at = ModelLocation.of(path);
        return switch (at.kind()) {
            case GGUF -> gguf(at.path());
            case HUGGING_FACE -> huggingFace(at.path());
            case JSPEED -> jspeed(at);
        };
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

    private static LoadedModel jspeed(ModelLocation at) throws IOException {
        Path checkpoint = at.path();
        LmConfig config = JspeedRunConfig.read(checkpoint.resolve("trainer.json"));
        SafetensorsSource src = SafetensorsSource.open(checkpoint.resolve("model.safetensors"));
        try {
            LmWeights w = HfLayout.assemble(config, src);
            Path tok = at.jspeedTokenizer();
            Tokenizer tokenizer = Files.isRegularFile(tok) ? Tokenizer.fromJson(Files.readString(tok), tok.toString()) : null;
            return new LoadedModel(w, tokenizer, at.runDir() + " has no tokenizer.json", SpecialTokens.NONE, "jspeed checkpoint", src);
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
