package io.jspeed.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;
import io.jspeed.model.TransformerLM;
import io.jspeed.model.format.SafetensorsFile;
import io.jspeed.tensor.Parallel;
import io.jspeed.train.checkpoint.Checkpointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the PyTorch reference models (Hugging Face layout) of jspeed-model's test resources into jspeed models. */
final class GoldenModels {

    private GoldenModels() {}

    static Path dir(String model) {
        String prop = System.getProperty("jspeed.golden");
        if (prop == null) throw new IllegalStateException("system property jspeed.golden is not set (the build sets it to jspeed-model/src/test/resources/golden)");
        Path dir = Path.of(prop).resolve(model);
        if (!Files.isDirectory(dir)) throw new IllegalStateException("golden reference " + dir + " is missing (jspeed.golden=" + prop + ")");
        return dir;
    }

    static JsonNode expected(String model) throws IOException {
        return new ObjectMapper().readTree(dir(model).resolve("expected.json").toFile());
    }

    static ModelSpec spec(JsonNode expected) {
        JsonNode c = expected.get("config");
        if (c.get("model_type").asText().equals("gpt2")) {
            return new ModelSpec(Family.GPT2, c.get("vocab_size").asInt(), c.get("n_layer").asInt(), c.get("n_head").asInt(),
                    c.get("n_head").asInt(), c.get("n_embd").asInt(), 4 * c.get("n_embd").asInt(), c.get("n_positions").asInt(),
                    (float) c.get("layer_norm_epsilon").asDouble(), 0f);
        }
        return new ModelSpec(Family.LLAMA, c.get("vocab_size").asInt(), c.get("num_hidden_layers").asInt(),
                c.get("num_attention_heads").asInt(), c.get("num_key_value_heads").asInt(), c.get("hidden_size").asInt(),
                c.get("intermediate_size").asInt(), c.get("max_position_embeddings").asInt(), (float) c.get("rms_norm_eps").asDouble(),
                (float) c.get("rope_theta").asDouble());
    }

    /** The reference weights, loaded by name with the checkpoint loader (which checks every shape). */
    static TransformerLM load(String model, Parallel pool) throws IOException {
        TransformerLM lm = new TransformerLM(spec(expected(model)), pool);
        Checkpointer.loadModel(dir(model), lm.paramBlocks());
        long views = lm.paramBlocks().stream().mapToLong(b -> b.views().size()).sum();
        try (SafetensorsFile f = SafetensorsFile.open(dir(model).resolve("model.safetensors"))) {
            if (views != f.tensors().size()) throw new IllegalStateException("model has " + views + " parameters, file " + f.tensors().size());
        }
        return lm;
    }

    static int[] ints(String model, String file, String tensor) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(dir(model).resolve(file))) {
            return f.ints(tensor);
        }
    }

    static float[] floats(String model, String file, String tensor) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(dir(model).resolve(file))) {
            return f.floats(tensor);
        }
    }
}
