package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    private final ByteTokenizer bytes = new ByteTokenizer();

    @Test
    void idsAreTheUtf8Bytes() {
        assertThat(bytes.vocabSize()).isEqualTo(256);
        assertThat(bytes.encode("aé")).containsExactly('a', 0xC3, 0xA9);
        assertThat(bytes.tokenBytes(0xC3)).containsExactly((byte) 0xC3);
        assertThat(bytes.encode("")).isEmpty();
    }

    @Test
    void roundTrips() {
        for (String s : new String[] {"", "hello", "é中文😀", "  \t\n  x"}) {
            assertThat(bytes.decode(bytes.encode(s))).isEqualTo(s);
        }
    }

    @Test
    void jsonRoundTrip() {
        Tokenizer reread = Tokenizer.fromJson(bytes.toJson(), "bytes.json");
        assertThat(reread).isInstanceOf(ByteTokenizer.class);
        assertThat(reread.encode("é")).isEqualTo(bytes.encode("é"));
    }

    @Test
    void rejectsIdsOutsideAByte() {
        assertThatThrownBy(() -> bytes.decode(new int[] {65, 300})).hasMessageContaining("300");
        assertThatThrownBy(() -> bytes.tokenBytes(256)).hasMessageContaining("256");
    }
}
