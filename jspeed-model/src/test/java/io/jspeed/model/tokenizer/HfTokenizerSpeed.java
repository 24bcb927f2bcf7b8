package io.jspeed.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Not a test: a measurement of loading and encoding with a real model's tokenizer.json, on the JDK's java.base
 * sources (code, so long whitespace runs and identifiers). Run (see docs/benchmarks.md):
 * java -cp ... io.jspeed.model.tokenizer.HfTokenizerSpeed TOKENIZER_DIR_OR_JSON [encodeMB]
 */
public final class HfTokenizerSpeed {

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[0]);
        double encodeMb = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        long t0 = System.nanoTime();
        HfTokenizer tokenizer = HfTokenizer.load(path);
        System.out.printf("load %s: vocab %d in %.2f s%n", path, tokenizer.vocabSize(), (System.nanoTime() - t0) / 1e9);
        List<String> texts = TokenizerSpeed.javaBaseSources("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip",
                (long) (encodeMb * 1e6));
        long bytes = 0;
        for (String s : texts) bytes += s.getBytes(StandardCharsets.UTF_8).length;
        for (int round = 0; round < 3; round++) {
            long tokens = 0;
            long t1 = System.nanoTime();
            for (String s : texts) tokens += tokenizer.encode(s, false).length;
            double sec = (System.nanoTime() - t1) / 1e9;
            System.out.printf("encode round %d: %.1f MB in %.2f s = %.2f MB/s, %d tokens (%.2f bytes/token)%n",
                    round, bytes / 1e6, sec, bytes / 1e6 / sec, tokens, (double) bytes / tokens);
        }
        long t2 = System.nanoTime();
        int mismatches = 0;
        for (String s : texts) if (!tokenizer.decode(tokenizer.encode(s, false)).equals(s)) mismatches++;
        System.out.printf("decode round trip: %d of %d files differ (NFC or SentencePiece's leading space may), %.2f s%n",
                mismatches, texts.size(), (System.nanoTime() - t2) / 1e9);
    }
}
