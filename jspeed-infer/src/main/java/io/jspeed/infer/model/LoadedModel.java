package io.jspeed.infer.model;

import io.jspeed.model.tokenizer.Tokenizer;

/**
 * A model ready to run: its weights (views of mapped files, valid until {@link #close}), its tokenizer (null when
 * the files hold none jspeed can read; {@link #tokenizerProblem} says why), the special ids and what format it came in.
 */
public record LoadedModel(LmWeights weights, Tokenizer tokenizer, String tokenizerProblem, SpecialTokens special,
                          String format, AutoCloseable files) implements AutoCloseable {

    public LmConfig config() {
        return weights.config();
    }

    /** The tokenizer, or an error naming why there is none. */
    public Tokenizer requireTokenizer() {
        if (tokenizer == null) throw new IllegalArgumentException(tokenizerProblem + " (pass token ids with --prompt-ids instead)");
        return tokenizer;
    }

    @Override
    public void close() throws Exception {
        files.close();
    }
}
