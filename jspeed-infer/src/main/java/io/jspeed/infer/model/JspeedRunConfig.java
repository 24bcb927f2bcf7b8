package io.jspeed.infer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.model.Family;
import io.jspeed.model.ModelSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model shape of a jspeed training checkpoint, read from its trainer.json ({@code vocab_size} and
 * {@code config.model}) directly, so inference needs no training code. Parameter names follow Hugging Face.
 */
public final class JspeedRunConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JspeedRunConfig() {}

    public static LmConfig read(Path trainerJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(trainerJson));
        } catch (IOException e) {
            throw new IOException(trainerJson + ": not readable JSON: " + e.getMessage(), e);
        }
        JsonNode m = root == null ? null : root.path("config").path("model");
        if (m == null || !m.isObject()) throw new IOException(trainerJson + ": missing object \"config.model\"");
        String type = text(m, "type", trainerJson);
        Family family = switch (type) {
            case "gpt2" -> Family.GPT2;
            case "llama" -> Family.LLAMA;
            default -> throw new IOException(trainerJson + ": config.model.type \"" + type + "\" is not supported; expected gpt2 or llama");
        };
        int vocab = integer(root, "vocab_size", trainerJson);
        return config(new ModelSpec(family, vocab, integer(m, "n_layer", trainerJson), integer(m, "n_head", trainerJson),
                integer(m, "n_kv_head", trainerJson), integer(m, "d_model", trainerJson), integer(m, "d_ff", trainerJson),
                integer(m, "seq_len", trainerJson), (float) number(m, "norm_eps", trainerJson), (float) number(m, "rope_theta", trainerJson)));
    }

    /** The inference config of a jspeed training model: its family, with the head tied as the family ties it. */
    public static LmConfig config(ModelSpec s) {
        return new LmConfig(s.family(), s.vocabSize(), s.nLayer(), s.nHead(), s.nKvHead(), s.dModel(), s.headDim(), s.dFf(),
                s.maxSeqLen(), s.normEps(), s.ropeTheta(), RopeScaling.NONE, RopeLayout.ROTATE_HALF, s.family().tiedHead());
    }

    private static int integer(JsonNode n, String key, Path file) throws IOException {
        if (!n.path(key).canConvertToInt()) throw new IOException(file + ": missing integer key \"" + key + "\"");
        return n.get(key).asInt();
    }

    private static double number(JsonNode n, String key, Path file) throws IOException {
        if (!n.path(key).isNumber()) throw new IOException(file + ": missing number key \"" + key + "\"");
        return n.get(key).asDouble();
    }

    private static String text(JsonNode n, String key, Path file) throws IOException {
        if (!n.path(key).isTextual()) throw new IOException(file + ": missing string key \"" + key + "\"");
        return n.get(key).asText();
    }
}
