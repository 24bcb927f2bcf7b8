package io.jspeed.infer.convert;

import io.jspeed.infer.model.ModelLocation;
import io.jspeed.infer.vocab.GgufVocabulary;
import io.jspeed.infer.vocab.HfVocabulary;
import io.jspeed.infer.vocab.Vocabulary;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.gguf.GgufFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vocabulary of a model wherever it lives: GGUF metadata, a Hugging Face folder's tokenizer files, or a jspeed
 * run's tokenizer.json. {@code vocabulary} is null when there is none ({@code absent}) or it cannot be converted;
 * {@code problem} then says which.
 */
public record SourceVocabulary(Vocabulary vocabulary, String problem, boolean absent) {

    private static SourceVocabulary of(Vocabulary v) {
        return new SourceVocabulary(v, null, false);
    }

    private static SourceVocabulary none(String why) {
        return new SourceVocabulary(null, why, true);
    }

    public static SourceVocabulary read(ModelLocation at) throws IOException {
        try {
            return switch (at.kind()) {
                case GGUF -> {
                    try (GgufFile f = GgufFile.open(at.path())) {
                        yield GgufVocabulary.present(f) ? of(GgufVocabulary.read(f))
                                : none(at.path() + " has no tokenizer.ggml.* metadata");
                    }
                }
                case HUGGING_FACE -> Files.isRegularFile(at.path().resolve("tokenizer.json"))
                        ? of(HfVocabulary.readFolder(at.path())) : none(at.path() + " has no tokenizer.json");
                case JSPEED -> {
                    Path tok = at.jspeedTokenizer();
                    yield Files.isRegularFile(tok) ? of(HfVocabulary.readTokenizerJson(tok)) : none(at.runDir() + " has no tokenizer.json");
                }
            };
        } catch (IllegalArgumentException | FormatException e) {
            return new SourceVocabulary(null, e.getMessage(), false);
        }
    }
}
