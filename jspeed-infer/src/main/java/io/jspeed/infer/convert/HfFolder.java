package io.jspeed.infer.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.model.Family;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.ModelLocation;
import io.jspeed.infer.model.RopeScaling;
import io.jspeed.infer.vocab.HfVocabulary;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.model.format.AtomicFiles;
import io.jspeed.model.tokenizer.HfTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The files of a Hugging Face model folder besides the weights: config.json for the architecture, and the tokenizer
 * files (copied from a Hugging Face source, rebuilt from the vocabulary otherwise), generation_config.json with the
 * special ids. Shared by {@code convert --to safetensors} and {@code quantize --to int8|int4} of a jspeed run.
 */
public final class HfFolder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A Hugging Face folder's files that describe the tokenizer and generation, copied as they are. */
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", "chat_template.jinja", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json");

    private HfFolder() {}

    /** The Hugging Face class a family is saved as (Mistral is Llama-shaped and saved as Llama). */
    public static String architecture(Family f) {
        if (f == Family.GPT2) return "GPT2LMHeadModel";
        return f == Family.LLAMA ? "LlamaForCausalLM" : f == Family.QWEN2 ? "Qwen2ForCausalLM" : "Qwen3ForCausalLM";
    }

    /**
     * config.json for {@code c}.
     *
     * @param specials   bos/eos ids to record (NONE: none)
     * @param torchDtype float32, float16 or bfloat16
     */
    public static ObjectNode config(LmConfig c, Vocabulary.Specials specials, String torchDtype) {
        ObjectNode o = JSON.createObjectNode();
        Family f = c.family();
        o.putArray("architectures").add(architecture(f));
        if (f == Family.GPT2) {
            o.put("model_type", "gpt2").put("vocab_size", c.vocabSize()).put("n_embd", c.dModel()).put("n_layer", c.nLayer())
                    .put("n_head", c.nHead()).put("n_positions", c.contextLength()).put("n_ctx", c.contextLength())
                    .put("n_inner", c.dFf()).put("activation_function", "gelu_new").put("layer_norm_epsilon", c.normEps());
        } else {
            o.put("model_type", f.name()).put("vocab_size", c.vocabSize()).put("hidden_size", c.dModel())
                    .put("intermediate_size", c.dFf()).put("num_hidden_layers", c.nLayer()).put("num_attention_heads", c.nHead())
                    .put("num_key_value_heads", c.nKvHead()).put("head_dim", c.headDim()).put("max_position_embeddings", c.contextLength())
                    .put("rms_norm_eps", c.normEps()).put("rope_theta", c.ropeTheta()).put("hidden_act", "silu");
            RopeScaling scaling = c.ropeScaling();
            switch (scaling.kind()) {
                case NONE -> o.putNull("rope_scaling");
                case LINEAR -> o.putObject("rope_scaling").put("rope_type", "linear").put("type", "linear").put("factor", scaling.factor());
                case LLAMA3 -> o.putObject("rope_scaling").put("rope_type", "llama3").put("factor", scaling.factor())
                        .put("low_freq_factor", scaling.lowFreqFactor()).put("high_freq_factor", scaling.highFreqFactor())
                        .put("original_max_position_embeddings", scaling.originalContext());
            }
            if (f == Family.LLAMA) o.put("attention_bias", false).put("mlp_bias", false);
            if (f == Family.QWEN2) o.put("use_sliding_window", false);
            if (f == Family.QWEN3) o.put("attention_bias", false);
        }
        o.put("tie_word_embeddings", c.tiedHead());
        if (specials.bos() >= 0) o.put("bos_token_id", specials.bos());
        if (specials.eos() >= 0) o.put("eos_token_id", specials.eos());
        o.put("torch_dtype", torchDtype);
        return o;
    }

    /**
     * Writes the tokenizer and generation files into {@code dir}: a Hugging Face source's own (copied), else a
     * tokenizer.json (a jspeed run's when Hugging Face can read it, else rebuilt), tokenizer_config.json and
     * generation_config.json from the vocabulary. Returns what could not be written, for the user.
     */
    public static List<String> tokenizerFiles(ModelLocation from, SourceVocabulary vocabulary, int contextLength, Path dir) throws IOException {
        java.util.ArrayList<String> notes = new java.util.ArrayList<>();
        if (from.kind() == ModelLocation.Kind.HUGGING_FACE) {
            for (String name : TOKENIZER_FILES) {
                Path p = from.path().resolve(name);
                if (Files.isRegularFile(p)) Files.copy(p, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.isRegularFile(from.path().resolve("tokenizer.json"))) notes.add(from.path() + " has no tokenizer.json; none was written");
            return notes;
        }
        Vocabulary v = vocabulary.vocabulary();
        if (v == null) {
            notes.add(vocabulary.problem() + "; no tokenizer files were written");
            return notes;
        }
        Path tokenizer = from.kind() == ModelLocation.Kind.JSPEED ? from.jspeedTokenizer() : null;
        if (tokenizer != null && readableByHuggingFace(tokenizer)) {
            Files.copy(tokenizer, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            try {
                AtomicFiles.writeString(dir.resolve("tokenizer.json"), HfVocabulary.tokenizerJson(v.withoutTrailingUnused(), true));
            } catch (IllegalArgumentException e) {
                notes.add("tokenizer.json not written: " + e.getMessage() + " (tokenizer_config.json with the special tokens and chat template was)");
            }
        }
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), pretty(HfVocabulary.tokenizerConfig(v, contextLength)));
        Vocabulary.Specials s = v.specials();
        if (s.bos() >= 0 || s.eos() >= 0) {
            ObjectNode gen = JSON.createObjectNode();
            if (s.bos() >= 0) gen.put("bos_token_id", s.bos());
            if (s.eot() >= 0) gen.putArray("eos_token_id").add(s.eos()).add(s.eot());
            else if (s.eos() >= 0) gen.put("eos_token_id", s.eos());
            AtomicFiles.writeString(dir.resolve("generation_config.json"), pretty(gen));
        }
        return notes;
    }

    private static boolean readableByHuggingFace(Path tokenizerJson) {
        try {
            HfTokenizer.load(tokenizerJson);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    public static String pretty(ObjectNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }
}
