package io.jspeed.infer.gguf;

import io.jspeed.infer.model.SpecialTokens;
import io.jspeed.infer.vocab.GgufVocabulary;
import io.jspeed.infer.vocab.HfVocabulary;
import io.jspeed.infer.vocab.PreTokenizers;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;
import io.jspeed.model.tokenizer.HfTokenizer;
import io.jspeed.model.tokenizer.Tokenizer;

/**
 * The tokenizer stored in a GGUF file's metadata: {@code tokenizer.ggml.model} "llama" (SentencePiece BPE with
 * scores and byte tokens) or "gpt2" (byte-level BPE with merges, run as the equivalent Hugging Face tokenizer.json:
 * the Llama 3 or Qwen 2 split regex when tokenizer.ggml.pre names it, GPT-2's otherwise; control and user-defined
 * tokens are found in the text as added tokens).
 */
public final class GgufTokenizers {

    private GgufTokenizers() {}

    public static Tokenizer read(GgufFile file) throws FormatException {
        Vocabulary v = GgufVocabulary.read(file);
        return switch (v.kind()) {
            case SENTENCEPIECE -> new SentencePieceBpe(v.tokens().toArray(String[]::new), v.scores(), v.types(),
                    Math.max(v.specials().unknown(), 0), v.addSpacePrefix());
            case BYTE_LEVEL -> {
                // a pre-tokenizer llama.cpp knows by a name without a tokenizer.json form splits as GPT-2's regex here
                Vocabulary known = PreTokenizers.known(v.pre()) ? v : v.withPre(PreTokenizers.GPT2);
                yield HfTokenizer.fromJson(HfVocabulary.tokenizerJson(known, false), file.path() + " (tokenizer.ggml.*)");
            }
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
}
