package io.jspeed.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tokenizer.json decoder: turns the token strings of some ids back into text, as Hugging Face's decode_chain steps
 * do (ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, in sequence). Without a decoder, Hugging Face joins
 * the token strings with spaces.
 */
final class TokenDecoder {

    private sealed interface Step {
        List<String> chain(List<String> tokens);
    }

    private record ByteLevel() implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) bytes.writeBytes(bytesOf(t));
            return List.of(Utf8.decodeLossy(bytes.toByteArray()));
        }

        /** A token spelled outside the byte alphabet (an added token, say) stands for its own UTF-8 bytes. */
        static byte[] bytesOf(String token) {
            byte[] b = ByteLevelAlphabet.decode(token);
            return b != null ? b : token.getBytes(StandardCharsets.UTF_8);
        }
    }

    private record Replace(StringPattern pattern, String content) implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            return tokens.stream().map(t -> pattern.replaceAll(t, content)).toList();
        }
    }

    /** Runs of {@code <0xXX>} tokens become their UTF-8 text, or one U+FFFD per byte if it is not valid UTF-8. */
    private record ByteFallback() implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            List<String> out = new ArrayList<>();
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        static int byteOf(String token) {
            if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
            int hi = Character.digit(token.charAt(3), 16), lo = Character.digit(token.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) return;
            byte[] bytes = run.toByteArray();
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
            } catch (CharacterCodingException e) {
                out.add("\uFFFD".repeat(bytes.length));
            }
            run.reset();
        }
    }

    private record Fuse() implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing copies of {@code content} from each token. */
    private record Strip(char content, int start, int stop) implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int from = 0, to = t.length();
                while (from < Math.min(start, t.length()) && t.charAt(from) == content) from++;
                while (t.length() - to < stop && to > from && t.charAt(to - 1) == content) to--;
                out.add(t.substring(from, to));
            }
            return out;
        }
    }

    private record Metaspace(String replacement, boolean stripFirstSpace) implements Step {
        @Override
        public List<String> chain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i).replace(replacement, " ");
                if (i == 0 && stripFirstSpace && t.startsWith(" ")) t = t.substring(1);
                out.add(t);
            }
            return out;
        }
    }

    private final List<Step> steps; // null: no decoder

    private TokenDecoder(List<Step> steps) {
        this.steps = steps;
    }

    static TokenDecoder fromJson(JsonNode node, String source) {
        if (node == null || node.isNull()) return new TokenDecoder(null);
        List<Step> steps = new ArrayList<>();
        addSteps(node, "decoder", source, steps);
        return new TokenDecoder(steps);
    }

    private static void addSteps(JsonNode node, String key, String source, List<Step> steps) {
        String type = HfJson.type(node, key, source);
        switch (type) {
            case "Sequence" -> {
                JsonNode list = HfJson.array(node, "decoders", key, source);
                for (int i = 0; i < list.size(); i++) addSteps(list.get(i), key + ".decoders[" + i + "]", source, steps);
            }
            case "ByteLevel" -> steps.add(new ByteLevel());
            case "Replace" -> steps.add(new Replace(StringPattern.fromJson(node.get("pattern"), key + ".pattern",
                    source), HfJson.text(node, "content", key, source)));
            case "ByteFallback" -> steps.add(new ByteFallback());
            case "Fuse" -> steps.add(new Fuse());
            case "Strip" -> {
                String content = HfJson.text(node, "content", key, source);
                if (content.length() != 1) {
                    throw new IllegalArgumentException(source + ": " + key + ".content must be one character");
                }
                steps.add(new Strip(content.charAt(0), HfJson.integer(node, "start", 0),
                        HfJson.integer(node, "stop", 0)));
            }
            case "Metaspace" -> {
                String scheme = node.has("prepend_scheme") ? HfJson.text(node, "prepend_scheme", key, source)
                        : HfJson.bool(node, "add_prefix_space", true) ? "always" : "never";
                steps.add(new Metaspace(HfJson.text(node, "replacement", key, source), !scheme.equals("never")));
            }
            default -> throw HfJson.unsupported(key, type, source);
        }
    }

    String decode(List<String> tokens) {
        if (steps == null) return String.join(" ", tokens);
        for (Step step : steps) tokens = step.chain(tokens);
        return String.join("", tokens);
    }

    /**
     * The bytes one token contributes when tokens are decoded one by one (streaming): ByteLevel and ByteFallback
     * give raw bytes, possibly a fragment of a character. Steps that act on the text's start (Strip, Metaspace's
     * first space) are left out, so a streamed SentencePiece text may keep the leading space that decode drops.
     */
    byte[] tokenBytes(String token) {
        if (steps == null) return token.getBytes(StandardCharsets.UTF_8);
        for (Step step : steps) {
            switch (step) {
                case ByteLevel b -> {
                    return ByteLevel.bytesOf(token);
                }
                case ByteFallback b -> {
                    int value = ByteFallback.byteOf(token);
                    if (value >= 0) return new byte[] {(byte) value};
                }
                case Replace r -> token = r.pattern().replaceAll(token, r.content());
                case Metaspace m -> token = token.replace(m.replacement(), " ");
                case Fuse f -> { }
                case Strip s -> { }
            }
        }
        return token.getBytes(StandardCharsets.UTF_8);
    }
}
