package io.jspeed.train.config;

import java.util.Set;

/**
 * Where the training text comes from and how it is tokenized ({@code data.*}). A null {@code path} means the
 * running JDK's {@code lib/src.zip} (module java.base). The "bytes" tokenizer always has 256 tokens.
 */
public record DataConfig(String path, String tokenizer, int vocabSize, float evalFraction) {

    static final Set<String> TOKENIZERS = Set.of("bpe", "bytes");
    static final int BYTE_VOCAB = 256;

    public DataConfig {
        if (path != null && path.isBlank()) {
            throw ConfigException.invalid("data.path", "\"" + path + "\"", "a file or directory path, or null for the JDK's src.zip");
        }
        if (tokenizer == null || !TOKENIZERS.contains(tokenizer)) {
            throw ConfigException.invalid("data.tokenizer", ModelConfig.quote(tokenizer), "one of \"bpe\", \"bytes\"");
        }
        if (tokenizer.equals("bpe") && vocabSize < BYTE_VOCAB) {
            throw ConfigException.invalid("data.vocab_size", vocabSize,
                    "an integer >= 256 for the bpe tokenizer (256 byte tokens plus merges)");
        }
        if (tokenizer.equals("bytes") && vocabSize != BYTE_VOCAB) {
            throw ConfigException.invalid("data.vocab_size", vocabSize, "256 (or absent) for the bytes tokenizer");
        }
        if (!(evalFraction > 0 && evalFraction < 0.5f)) {
            throw ConfigException.invalid("data.eval_fraction", evalFraction, "a number in (0, 0.5)");
        }
    }
}
