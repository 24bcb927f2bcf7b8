package io.jspeed.infer.vocab;

import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;
import io.jspeed.model.format.gguf.GgufValue;
import io.jspeed.model.format.gguf.GgufWriter;

import java.util.Arrays;
import java.util.List;

/** {@link Vocabulary} to and from a GGUF file's {@code tokenizer.ggml.*} and {@code tokenizer.chat_template} keys. */
public final class GgufVocabulary {

    private GgufVocabulary() {}

    /** Whether the file carries a vocabulary at all. */
    public static boolean present(GgufFile file) {
        return file.metadata().contains("tokenizer.ggml.model");
    }

    public static Vocabulary read(GgufFile file) throws FormatException {
        GgufMetadata m = file.metadata();
        String model = m.string("tokenizer.ggml.model");
        List<String> tokens = List.of(m.strings("tokenizer.ggml.tokens"));
        int[] types = m.contains("tokenizer.ggml.token_type") ? m.int32s("tokenizer.ggml.token_type") : normal(tokens.size());
        if (types.length != tokens.size())
            throw new FormatException(file.path(), "tokenizer.ggml.token_type has " + types.length + " entries for " + tokens.size() + " tokens");
        Vocabulary.Kind kind = switch (model) {
            case "llama" -> Vocabulary.Kind.SENTENCEPIECE;
            case "gpt2" -> Vocabulary.Kind.BYTE_LEVEL;
            default -> throw new FormatException(file.path(), "tokenizer.ggml.model \"" + model
                    + "\" is not supported; expected \"llama\" (SentencePiece BPE) or \"gpt2\" (byte-level BPE)");
        };
        boolean spm = kind == Vocabulary.Kind.SENTENCEPIECE;
        float[] scores = null;
        if (spm) {
            scores = m.contains("tokenizer.ggml.scores") ? m.float32s("tokenizer.ggml.scores") : new float[tokens.size()];
            if (scores.length != tokens.size())
                throw new FormatException(file.path(), "tokenizer.ggml.scores has " + scores.length + " entries for " + tokens.size() + " tokens");
        }
        List<String> merges = spm ? null : List.of(m.strings("tokenizer.ggml.merges"));
        String pre = spm ? null : m.optString("tokenizer.ggml.pre").orElse("default");
        Vocabulary.Specials specials = new Vocabulary.Specials(id(m, "bos_token_id", tokens.size()), id(m, "eos_token_id", tokens.size()),
                id(m, "eot_token_id", tokens.size()), id(m, "unknown_token_id", tokens.size()), id(m, "padding_token_id", tokens.size()),
                m.optBool("tokenizer.ggml.add_bos_token").orElse(spm), m.optBool("tokenizer.ggml.add_eos_token").orElse(false));
        try {
            return new Vocabulary(kind, tokens, types, scores, merges, pre, m.optBool("tokenizer.ggml.add_space_prefix").orElse(spm),
                    specials, m.optString("tokenizer.chat_template").orElse(null));
        } catch (IllegalArgumentException e) {
            throw new FormatException(file.path(), e.getMessage());
        }
    }

    /** A special id; out-of-range ids are ignored, as llama.cpp ignores them. */
    private static int id(GgufMetadata m, String key, int size) throws FormatException {
        long id = m.contains("tokenizer.ggml." + key) ? m.integer("tokenizer.ggml." + key) : -1;
        return id >= 0 && id < size ? (int) id : -1;
    }

    public static void write(Vocabulary v, GgufWriter w) {
        w.putString("tokenizer.ggml.model", v.kind().ggmlName());
        if (v.kind() == Vocabulary.Kind.BYTE_LEVEL) w.putString("tokenizer.ggml.pre", v.pre());
        w.putStrings("tokenizer.ggml.tokens", v.tokens());
        if (v.scores() != null) w.put("tokenizer.ggml.scores", GgufValue.float32s(v.scores()));
        w.put("tokenizer.ggml.token_type", GgufValue.int32s(v.types()));
        if (v.merges() != null) w.putStrings("tokenizer.ggml.merges", v.merges());
        Vocabulary.Specials s = v.specials();
        putId(w, "bos_token_id", s.bos());
        putId(w, "eos_token_id", s.eos());
        putId(w, "eot_token_id", s.eot());
        putId(w, "unknown_token_id", s.unknown());
        putId(w, "padding_token_id", s.padding());
        w.putBool("tokenizer.ggml.add_bos_token", s.addBos()).putBool("tokenizer.ggml.add_eos_token", s.addEos());
        if (v.kind() == Vocabulary.Kind.SENTENCEPIECE) w.putBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix());
        if (v.chatTemplate() != null) w.putString("tokenizer.chat_template", v.chatTemplate());
    }

    private static void putId(GgufWriter w, String key, int id) {
        if (id >= 0) w.putUint32("tokenizer.ggml." + key, id);
    }

    private static int[] normal(int n) {
        int[] t = new int[n];
        Arrays.fill(t, Vocabulary.NORMAL);
        return t;
    }
}
