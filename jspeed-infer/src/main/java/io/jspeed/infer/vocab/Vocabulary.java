package io.jspeed.infer.vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's vocabulary in the terms GGUF metadata uses ({@code tokenizer.ggml.*}), the pivot between a Hugging Face
 * tokenizer.json and a GGUF file: token strings by id with their types, plus what the tokenizer kind needs
 * (SentencePiece BPE: a score per token; byte-level BPE: merges and the pre-tokenizer's name), the special ids and
 * the chat template.
 *
 * @param scores  SentencePiece only: a higher score merges first
 * @param merges  byte-level only: "left right" in rank order
 * @param pre     byte-level only: llama.cpp's pre-tokenizer name (gpt-2, llama-bpe, qwen2, ...)
 * @param addSpacePrefix SentencePiece only: a space is put before the text
 * @param chatTemplate the Jinja chat template, or null
 */
public record Vocabulary(Kind kind, List<String> tokens, int[] types, float[] scores, List<String> merges, String pre,
                         boolean addSpacePrefix, Specials specials, String chatTemplate) {

    /** GGUF token types (llama.cpp's llama_token_type). */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

    public enum Kind {
        /** tokenizer.ggml.model "llama": SentencePiece BPE with scores and byte fallback (Llama 2, Mistral). */
        SENTENCEPIECE("llama"),
        /** tokenizer.ggml.model "gpt2": byte-level BPE with merges (GPT-2, Llama 3, Qwen). */
        BYTE_LEVEL("gpt2");

        private final String ggmlName;

        Kind(String ggmlName) {
            this.ggmlName = ggmlName;
        }

        public String ggmlName() {
            return ggmlName;
        }
    }

    /** Special token ids (-1 = none) and whether BOS/EOS are added around a prompt. */
    public record Specials(int bos, int eos, int eot, int unknown, int padding, boolean addBos, boolean addEos) {
        public static final Specials NONE = new Specials(-1, -1, -1, -1, -1, false, false);
    }

    public Vocabulary {
        tokens = List.copyOf(tokens);
        if (types.length != tokens.size())
            throw new IllegalArgumentException("vocabulary: " + tokens.size() + " tokens but " + types.length + " token types");
        if (kind == Kind.SENTENCEPIECE && (scores == null || scores.length != tokens.size()))
            throw new IllegalArgumentException("vocabulary: a SentencePiece vocabulary needs one score per token");
        if (kind == Kind.BYTE_LEVEL && (merges == null || pre == null))
            throw new IllegalArgumentException("vocabulary: a byte-level BPE vocabulary needs merges and a pre-tokenizer name");
        merges = merges == null ? null : List.copyOf(merges);
        for (int id : new int[] {specials.bos(), specials.eos(), specials.eot(), specials.unknown(), specials.padding()})
            if (id >= tokens.size())
                throw new IllegalArgumentException("vocabulary: special token id " + id + " outside the " + tokens.size() + " tokens");
    }

    public int size() {
        return tokens.size();
    }

    /**
     * The vocabulary with placeholder tokens ("[PADi]", type UNUSED, as llama.cpp's converter writes them) up to a
     * model's embedding rows; GGUF needs one token per row.
     */
    public Vocabulary paddedTo(int rows) {
        if (rows < size())
            throw new IllegalArgumentException("the tokenizer has " + size() + " tokens but the model's embedding has only "
                    + rows + " rows; expected at least one row per token");
        if (rows == size()) return this;
        List<String> t = new ArrayList<>(tokens);
        int[] ty = Arrays.copyOf(types, rows);
        float[] sc = scores == null ? null : Arrays.copyOf(scores, rows);
        for (int i = size(); i < rows; i++) {
            t.add("[PAD" + i + "]");
            ty[i] = UNUSED;
        }
        return new Vocabulary(kind, t, ty, sc, merges, pre, addSpacePrefix, specials, chatTemplate);
    }

    /** The vocabulary without the UNUSED placeholders at its end (a Hugging Face tokenizer stops at its last real token). */
    public Vocabulary withoutTrailingUnused() {
        int n = size();
        while (n > 0 && types[n - 1] == UNUSED) n--;
        if (n == size()) return this;
        return new Vocabulary(kind, tokens.subList(0, n), Arrays.copyOf(types, n), scores == null ? null : Arrays.copyOf(scores, n),
                merges, pre, addSpacePrefix, specials, chatTemplate);
    }

    public Vocabulary withPre(String pre) {
        return new Vocabulary(kind, tokens, types, scores, merges, pre, addSpacePrefix, specials, chatTemplate);
    }

    public Vocabulary withSpecials(Specials specials) {
        return new Vocabulary(kind, tokens, types, scores, merges, pre, addSpacePrefix, specials, chatTemplate);
    }

    /** Token string to id; a string that occurs twice is an error naming both ids (no tokenizer.json can hold it). */
    public Map<String, Integer> ids() {
        Map<String, Integer> ids = HashMap.newHashMap(size());
        for (int i = 0; i < size(); i++) {
            Integer before = ids.putIfAbsent(tokens.get(i), i);
            if (before != null)
                throw new IllegalArgumentException("vocabulary: token \"" + tokens.get(i) + "\" occurs twice (ids " + before + " and " + i
                        + "); a Hugging Face tokenizer.json cannot hold duplicates");
        }
        return ids;
    }

    /** The token string of a special id, or null for -1. */
    public String token(int id) {
        return id < 0 ? null : tokens.get(id);
    }
}
