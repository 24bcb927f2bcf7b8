package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BpeTokenizerTest {

    private static final List<String> CORPUS = List.of(
            "public final class Vector { private final int size; }\n",
            "    public int size() {\n        return size;\n    }\n",
            "// café, naïve, 中文注释, emoji 😀😀 and more café\n",
            "\t\tif (x != null && x.isEmpty()) throw new IllegalStateException(\"empty\");\n");
    private static final BpeTokenizer BPE = BpeTokenizer.train(CORPUS, 400);

    @Test
    void roundTripsAsciiUnicodeWhitespaceAndEmpty() {
        String[] samples = {
            "", "a", "public static void main(String[] args) {}", "é", "café", "中文", "😀", "a😀b中é",
            "    ", "\t\t  \n\n   x  ", "\r\n", "it's they're we've I'm you'll he'd", "x\u00A0y\u3000z", "\u0000\u007F"
        };
        for (String s : samples) {
            assertThat(BPE.decode(BPE.encode(s))).as("round trip of %s", s).isEqualTo(s);
        }
        assertThat(BPE.encode("")).isEmpty();
    }

    @Test
    void roundTripsRandomUnicode() {
        Random random = new Random(1);
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < random.nextInt(40); i++) {
                int cp;
                do {
                    cp = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x110000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertThat(BPE.decode(BPE.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void encodesFrequentWordsAsFewTokensAndNeverAcrossPreTokens() {
        int[] ids = BPE.encode("    public int size()");
        assertThat(ids.length).isLessThan("    public int size()".length() / 2);
        // every token's bytes lie inside one pre-token: re-splitting the decoded tokens reproduces the pieces
        StringBuilder joined = new StringBuilder();
        List<String> pieces = Gpt2PreTokenizer.split("    public int size()");
        int piece = 0, used = 0;
        for (int id : ids) {
            String text = new String(BPE.tokenBytes(id), StandardCharsets.UTF_8);
            assertThat(pieces.get(piece).substring(used)).startsWith(text);
            used += text.length();
            if (used == pieces.get(piece).length()) {
                piece++;
                used = 0;
            }
            joined.append(text);
        }
        assertThat(piece).isEqualTo(pieces.size());
    }

    @Test
    void withoutMergesEncodesToBytes() {
        BpeTokenizer bytesOnly = BpeTokenizer.train(List.of("anything"), 256);
        assertThat(bytesOnly.encode("hé")).containsExactly('h', 0xC3, 0xA9);
    }

    @Test
    void jsonRoundTripEncodesIdentically() {
        String json = BPE.toJson();
        Tokenizer reread = Tokenizer.fromJson(json, "trained.json");
        assertThat(reread).isInstanceOf(BpeTokenizer.class);
        assertThat(reread.vocabSize()).isEqualTo(BPE.vocabSize());
        assertThat(reread.toJson()).isEqualTo(json);
        for (String s : CORPUS) assertThat(reread.encode(s)).isEqualTo(BPE.encode(s));
        assertThat(BpeTokenizer.fromJson(json, "x").encode("size() 😀")).isEqualTo(BPE.encode("size() 😀"));
    }

    @Test
    void jsonUsesHuggingFaceLayoutAndGpt2Alphabet() throws Exception {
        var root = TokenizerJson.MAPPER.readTree(BpeTokenizer.train(List.of("aaab aaab"), 300).toJson());
        assertThat(root.path("version").asText()).isEqualTo("1.0");
        assertThat(root.path("model").path("type").asText()).isEqualTo("BPE");
        assertThat(root.path("pre_tokenizer").path("type").asText()).isEqualTo("ByteLevel");
        assertThat(root.path("pre_tokenizer").path("add_prefix_space").asBoolean(true)).isFalse();
        assertThat(root.path("decoder").path("type").asText()).isEqualTo("ByteLevel");
        assertThat(root.path("added_tokens").isArray()).isTrue();
        assertThat(root.path("model").path("vocab").path("Ġ").asInt()).isEqualTo(32);
        assertThat(root.path("model").path("vocab").path("Ċ").asInt()).isEqualTo(10);
        assertThat(root.path("model").path("vocab").path("Ġaaab").asInt()).isEqualTo(259);
        assertThat(root.path("model").path("merges").get(3).asText()).isEqualTo("Ġ aaab");
    }

    @Test
    void readsAGpt2StyleFileWithItsOwnIdOrderArrayMergesAndEndOfText() {
        // GPT-2 numbers the byte tokens in alphabet order (printable first), not by byte value.
        StringBuilder vocab = new StringBuilder();
        List<String> order = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) order.add(ByteLevelAlphabet.encode(new byte[] {(byte) b}));
        for (int b = 0; b < 256; b++) {
            String c = ByteLevelAlphabet.encode(new byte[] {(byte) b});
            if (!order.contains(c)) order.add(c);
        }
        order.add("Ġt");
        order.add("he");
        order.add("Ġthe");
        order.add("<|endoftext|>");
        for (int id = 0; id < order.size(); id++) {
            vocab.append(id == 0 ? "" : ",").append(TokenizerJsonTest.quote(order.get(id))).append(':').append(id);
        }
        String json = """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[{"id":%d,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":true,"special":true}],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                 "post_processor":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true},
                 "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
                 "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":"","end_of_word_suffix":"",
                          "fuse_unk":false,"vocab":{%s},"merges":[["Ġ","t"],"h e","Ġt he"]}}
                """.formatted(order.size() - 1, vocab);
        BpeTokenizer gpt2 = BpeTokenizer.fromJson(json, "gpt2/tokenizer.json");
        int the = order.indexOf("Ġthe"), he = order.indexOf("he");
        int t = order.indexOf("t"), space = order.indexOf("Ġ");
        assertThat(gpt2.encode(" the")).containsExactly(the);
        assertThat(gpt2.encode("he the")).containsExactly(he, the);
        assertThat(gpt2.encode("t t")).containsExactly(t, order.indexOf("Ġt"));
        assertThat(gpt2.encode("  ")).containsExactly(space, space);
        assertThat(gpt2.decode(new int[] {he, the, order.size() - 1})).isEqualTo("he the<|endoftext|>");
    }

    @Test
    void encodeIsThreadSafe() throws Exception {
        BpeTokenizer bpe = BpeTokenizer.train(CORPUS, 350);
        List<String> texts = new ArrayList<>();
        Random random = new Random(2);
        for (int i = 0; i < 400; i++) texts.add(CORPUS.get(random.nextInt(CORPUS.size())) + " v" + random.nextInt(1000));
        List<int[]> expected = new ArrayList<>();
        BpeTokenizer fresh = BpeTokenizer.fromJson(bpe.toJson(), "copy");
        for (String s : texts) expected.add(fresh.encode(s));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                results.add(pool.submit(() -> {
                    List<int[]> out = new ArrayList<>();
                    for (String s : texts) out.add(bpe.encode(s));
                    return out;
                }));
            }
            for (Future<List<int[]>> f : results) assertThat(f.get()).containsExactlyElementsOf(expected);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void decodesInvalidUtf8AsReplacementAndChecksIds() {
        // tokens holding half a character, decoded alone
        BpeTokenizer bytesOnly = BpeTokenizer.train(List.of("x"), 256);
        assertThat(bytesOnly.decode(new int[] {0xE4, 0xB8})).isEqualTo("\uFFFD");
        assertThat(bytesOnly.decode(new int[] {0xE4, 0xB8, 0xAD})).isEqualTo("中");
        assertThatThrownBy(() -> bytesOnly.decode(new int[] {1, 256}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256").hasMessageContaining("position 1");
        assertThatThrownBy(() -> bytesOnly.tokenBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
