package io.jspeed.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** fromJson must refuse what it cannot honour, naming the source and the key or value at fault. */
class TokenizerJsonTest {

    private static final String GOOD = BpeTokenizer.train(List.of("aaab aaab"), 300).toJson();

    @Test
    void dispatchesOnModelType() {
        assertThat(Tokenizer.fromJson(GOOD, "a.json")).isInstanceOf(BpeTokenizer.class);
        assertThat(Tokenizer.fromJson("{\"model\":{\"type\":\"bytes\"}}", "b.json")).isInstanceOf(ByteTokenizer.class);
    }

    @Test
    void rejectsUnknownModelType() {
        assertRejected(r -> ((ObjectNode) r.get("model")).put("type", "WordPiece"), "WordPiece", "model.type");
        assertThatThrownBy(() -> Tokenizer.fromJson("{\"model\":{\"type\":\"Unigram\"}}", "t.json"))
                .hasMessageContaining("t.json").hasMessageContaining("model.type").hasMessageContaining("Unigram");
    }

    @Test
    void rejectsMissingKeys() {
        assertRejected(r -> r.remove("model"), "\"model.type\"");
        assertRejected(r -> ((ObjectNode) r.get("model")).remove("vocab"), "model.vocab");
        assertRejected(r -> ((ObjectNode) r.get("model")).remove("merges"), "model.merges");
        assertRejected(r -> r.remove("pre_tokenizer"), "pre_tokenizer");
    }

    @Test
    void rejectsMergesOfUnknownTokens() {
        assertRejected(r -> ((ArrayNode) r.get("model").get("merges")).insert(0, "a zz"), "model.merges[0]", "zz");
        assertRejected(r -> ((ArrayNode) r.get("model").get("merges")).insert(0, "abc"), "model.merges[0]", "abc");
        // both halves known but their concatenation is not a token
        assertRejected(r -> ((ArrayNode) r.get("model").get("merges")).add("b a"), "model.merges[4]", "ba");
    }

    @Test
    void rejectsBadVocab() {
        assertRejected(r -> ((ObjectNode) r.get("model").get("vocab")).put("a", 5000), "model.vocab[\"a\"]", "5000");
        assertRejected(r -> ((ObjectNode) r.get("model").get("vocab")).remove("Ġ"), "model.vocab", "0..258");
        assertRejected(r -> {
            ((ObjectNode) r.get("model").get("vocab")).remove("Ġ");
            ((ObjectNode) r.get("model").get("vocab")).put("ĠĠ", 32);
            ((ArrayNode) r.get("model").get("merges")).remove(3);
        }, "model.vocab", "byte 0x20");
        assertRejected(r -> ((ObjectNode) r.get("model").get("vocab")).put("a", 98), "model.vocab", "98");
    }

    @Test
    void rejectsFeaturesThisTokenizerDoesNotImplement() {
        assertRejected(r -> r.putObject("normalizer").put("type", "NFC"), "normalizer");
        assertRejected(r -> ((ObjectNode) r.get("model")).put("unk_token", "<unk>"), "model.unk_token");
        assertRejected(r -> ((ObjectNode) r.get("model")).put("dropout", 0.1), "model.dropout");
        assertRejected(r -> ((ObjectNode) r.get("model")).put("byte_fallback", true), "model.byte_fallback");
        assertRejected(r -> ((ObjectNode) r.get("model")).put("continuing_subword_prefix", "##"), "continuing_subword_prefix");
        assertRejected(r -> ((ObjectNode) r.get("pre_tokenizer")).put("type", "Whitespace"), "pre_tokenizer.type", "Whitespace");
        assertRejected(r -> ((ObjectNode) r.get("pre_tokenizer")).put("add_prefix_space", true), "add_prefix_space");
        assertRejected(r -> ((ObjectNode) r.get("model")).put("surprise", 1), "model.surprise");
        assertRejected(r -> r.put("extra", 1), "\"extra\"");
        assertRejected(r -> ((ArrayNode) r.get("added_tokens")).addObject().put("id", 9999).put("content", "<s>"),
                "added_tokens[0]");
    }

    @Test
    void rejectsInvalidJson() {
        assertThatThrownBy(() -> Tokenizer.fromJson("{\"model\":", "broken.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.json");
        assertThatThrownBy(() -> Tokenizer.fromJson("[]", "list.json")).hasMessageContaining("list.json");
    }

    private static void assertRejected(Consumer<ObjectNode> edit, String... fragments) {
        ObjectNode root;
        try {
            root = (ObjectNode) TokenizerJson.MAPPER.readTree(GOOD);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        edit.accept(root);
        String json = root.toString();
        var thrown = assertThatThrownBy(() -> Tokenizer.fromJson(json, "models/tok.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("models/tok.json");
        for (String f : fragments) thrown.hasMessageContaining(f);
    }

    static String quote(String s) {
        try {
            return TokenizerJson.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
