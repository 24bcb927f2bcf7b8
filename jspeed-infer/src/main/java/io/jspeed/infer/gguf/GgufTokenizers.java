package io.jspeed.infer.gguf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jspeed.infer.model.SpecialTokens;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;
import io.jspeed.model.tokenizer.Tokenizer;

/**
 * The tokenizer stored in a GGUF file's metadata: {@code tokenizer.ggml.model} "llama" (SentencePiece BPE with
 * scores and byte tokens) or "gpt2" (byte-level BPE with merges, handed to the Hugging Face tokenizer.json reader).
 */
public final class GgufTokenizers {

    private GgufTokenizers() {}

    public static Tokenizer read(GgufFile file) throws FormatException {
        GgufMetadata m = file.metadata();
        String model = m.string("tokenizer.ggml.model");
        String[] tokens = m.strings("tokenizer.ggml.tokens");
        return switch (model) {
            case "llama" -> new SentencePieceBpe(tokens,
                    m.contains("tokenizer.ggml.scores") ? m.float32s("tokenizer.ggml.scores") : new float[tokens.length],
                    m.contains("tokenizer.ggml.token_type") ? m.int32s("tokenizer.ggml.token_type") : normalTypes(tokens.length),
                    m.optInt32("tokenizer.ggml.unknown_token_id").orElse(0),
                    m.optBool("tokenizer.ggml.add_space_prefix").orElse(true));
            case "gpt2" -> byteLevelBpe(file, tokens, m.strings("tokenizer.ggml.merges"));
            default -> throw new FormatException(file.path(), "tokenizer.ggml.model \"" + model + "\" is not supported; expected \"llama\" or \"gpt2\"");
        };
    }

    public static SpecialTokens specialTokens(GgufFile file) throws FormatException {
        GgufMetadata m = file.metadata();
        int bos = m.optInt32("tokenizer.ggml.bos_token_id").orElse(-1);
        int eos = m.optInt32("tokenizer.ggml.eos_token_id").orElse(-1);
        int eot = m.optInt32("tokenizer.ggml.eot_token_id").orElse(-1);
        boolean spm = m.string("tokenizer.ggml.model").equals("llama");
        boolean addBos = m.optBool("tokenizer.ggml.add_bos_token").orElse(spm);
        int[] ends = eot >= 0 && eot != eos ? new int[] {eos, eot} : eos >= 0 ? new int[] {eos} : new int[0];
        return new SpecialTokens(bos, ends, addBos);
    }

    private static int[] normalTypes(int n) {
        int[] t = new int[n];
        java.util.Arrays.fill(t, SentencePieceBpe.NORMAL);
        return t;
    }

    /** GGUF "gpt2" vocabularies are Hugging Face byte-level BPE: tokens in the byte-to-unicode alphabet and merges. */
    private static Tokenizer byteLevelBpe(GgufFile file, String[] tokens, String[] merges) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < tokens.length; i++) vocab.put(tokens[i], i);
        ArrayNode list = model.putArray("merges");
        for (String merge : merges) list.add(merge);
        return Tokenizer.fromJson(root.toString(), file.path() + " (tokenizer.ggml.*)");
    }
}
