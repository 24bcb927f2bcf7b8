package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    private final ByteTokenizer bytes = new ByteTokenizer();

    @Test
    void holdsBackASplitCharacterUntilItCompletes() {
        StreamingDecoder decoder = new StreamingDecoder(bytes);
        List<String> outputs = new ArrayList<>();
        for (int id : bytes.encode("a中😀é")) outputs.add(decoder.next(id));
        outputs.add(decoder.flush());
        assertThat(outputs).containsExactly("a", "", "", "中", "", "", "", "😀", "", "é", "");
    }

    @Test
    void flushReplacesAnIncompleteTail() {
        StreamingDecoder decoder = new StreamingDecoder(bytes);
        assertThat(decoder.next('x')).isEqualTo("x");
        assertThat(decoder.next(0xE4)).isEmpty();
        assertThat(decoder.next(0xB8)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void reassemblesBpeTokensThatSplitCharacters() {
        // Trained on a corpus where "中" is frequent enough to merge partially: tokens end mid-character.
        BpeTokenizer bpe = BpeTokenizer.train(List.of("中中中 中中 文 中文 😀😀 😀"), 262);
        String text = "中文 😀 中中文";
        int[] ids = bpe.encode(text);
        assertThat(Arrays.stream(ids).mapToObj(id -> new String(bpe.tokenBytes(id), StandardCharsets.UTF_8)))
                .as("some token ends inside a character").anyMatch(piece -> piece.contains("\uFFFD"));
        StreamingDecoder decoder = new StreamingDecoder(bpe);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String piece = decoder.next(id);
            assertThat(piece).doesNotContain("\uFFFD");
            streamed.append(piece);
        }
        streamed.append(decoder.flush());
        assertThat(streamed.toString()).isEqualTo(text);
    }

    @Test
    void streamedTextEqualsDecodeOfAllIdsEvenForMalformedBytes() {
        Random random = new Random(4);
        int[] interesting = {0x41, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        for (int trial = 0; trial < 5000; trial++) {
            int[] ids = new int[random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256);
            }
            StreamingDecoder decoder = new StreamingDecoder(bytes);
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) streamed.append(decoder.next(id));
            streamed.append(decoder.flush());
            assertThat(streamed.toString()).isEqualTo(bytes.decode(ids));
        }
    }

    @Test
    void lossyDecodingFollowsTheMaximalSubpartRule() {
        // Expected strings are what Rust's String::from_utf8_lossy (Hugging Face's decoder) returns.
        assertThat(Utf8.decodeLossy(b(0xE4, 0xB8))).isEqualTo("\uFFFD");
        assertThat(Utf8.decodeLossy(b(0xF0, 0x9F, 0x98, 0x61))).isEqualTo("\uFFFDa");
        assertThat(Utf8.decodeLossy(b(0xC0, 0x80))).isEqualTo("\uFFFD\uFFFD");
        assertThat(Utf8.decodeLossy(b(0xED, 0xA0, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(Utf8.decodeLossy(b(0xE0, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(Utf8.decodeLossy(b(0xF4, 0x90, 0x80, 0x80))).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        assertThat(Utf8.decodeLossy(b(0xE4, 0x41, 0x80))).isEqualTo("\uFFFDA\uFFFD");
    }

    @Test
    void lossyDecodingEqualsTheJdkOnWellFormedText() {
        Random random = new Random(8);
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < random.nextInt(30); i++) {
                int cp = random.nextInt(0x110000);
                if (cp < 0xD800 || cp > 0xDFFF) sb.appendCodePoint(cp);
            }
            byte[] utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(Utf8.decodeLossy(utf8)).isEqualTo(sb.toString());
        }
    }

    private static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }
}
