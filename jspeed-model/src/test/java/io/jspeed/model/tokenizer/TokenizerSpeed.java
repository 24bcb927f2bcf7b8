package io.jspeed.model.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Not a test: a throwaway measurement of training and encoding speed on the JDK's own java.base sources.
 * Run: java -cp ... io.jspeed.model.tokenizer.TokenizerSpeed [trainMB] [encodeMB] [vocab]
 */
public final class TokenizerSpeed {

    public static void main(String[] args) throws IOException {
        double trainMb = args.length > 0 ? Double.parseDouble(args[0]) : 8;
        double encodeMb = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        int vocab = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        List<String> files = javaBaseSources("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip",
                (long) (Math.max(trainMb, encodeMb) * 1e6));
        List<String> train = prefix(files, (long) (trainMb * 1e6));
        long t0 = System.nanoTime();
        BpeTokenizer bpe = BpeTokenizer.train(train, vocab);
        double trainSec = (System.nanoTime() - t0) / 1e9;
        System.out.printf("train: vocab %d on %.1f MB (%d files) in %.2f s%n", bpe.vocabSize(), mb(train), train.size(), trainSec);

        List<String> enc = prefix(files, (long) (encodeMb * 1e6));
        for (int round = 0; round < 3; round++) {
            long tokens = 0;
            long t1 = System.nanoTime();
            for (String s : enc) tokens += bpe.encode(s).length;
            double sec = (System.nanoTime() - t1) / 1e9;
            System.out.printf("encode round %d: %.1f MB in %.2f s = %.1f MB/s, %d tokens (%.2f bytes/token)%n",
                    round, mb(enc), sec, mb(enc) / sec, tokens, mb(enc) * 1e6 / tokens);
        }
        for (int round = 0; round < 2; round++) {
            long t2 = System.nanoTime();
            List<String> half1 = enc.subList(0, enc.size() / 2), half2 = enc.subList(enc.size() / 2, enc.size());
            Thread other = Thread.ofPlatform().start(() -> half2.forEach(bpe::encode));
            half1.forEach(bpe::encode);
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            double sec = (System.nanoTime() - t2) / 1e9;
            System.out.printf("encode on 2 threads, round %d: %.1f MB/s total%n", round, mb(enc) / sec);
        }
        Tokenizer reread = Tokenizer.fromJson(bpe.toJson(), "speed");
        for (String s : enc.subList(0, Math.min(200, enc.size()))) {
            if (!java.util.Arrays.equals(reread.encode(s), bpe.encode(s)) || !bpe.decode(bpe.encode(s)).equals(s)) {
                throw new AssertionError("round trip failed");
            }
        }
        System.out.println("json round trip on 200 files ok, json " + bpe.toJson().length() / 1024 + " KiB");
    }

    private static double mb(List<String> texts) {
        long bytes = 0;
        for (String s : texts) bytes += s.getBytes(StandardCharsets.UTF_8).length;
        return bytes / 1e6;
    }

    private static List<String> prefix(List<String> files, long bytes) {
        List<String> out = new ArrayList<>();
        long total = 0;
        for (String f : files) {
            if (total >= bytes) break;
            out.add(f);
            total += f.length();
        }
        return out;
    }

    static List<String> javaBaseSources(String zip, long maxChars) throws IOException {
        List<String> out = new ArrayList<>();
        long total = 0;
        try (ZipFile z = new ZipFile(zip)) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements() && total < maxChars; ) {
                ZipEntry entry = e.nextElement();
                if (!entry.getName().startsWith("java.base/") || !entry.getName().endsWith(".java")) continue;
                try (InputStream in = z.getInputStream(entry)) {
                    String s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    out.add(s);
                    total += s.length();
                }
            }
        }
        return out;
    }
}
