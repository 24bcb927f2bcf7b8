package io.jspeed.infer.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@link Vocabulary} to and from Hugging Face tokenizer files: tokenizer.json (BPE, either SentencePiece-style with
 * byte fallback or byte-level), tokenizer_config.json (special tokens, add_bos_token, chat_template) and the ids of
 * config.json / generation_config.json. Tokenizers these formats cannot both express are refused by name.
 */
public final class HfVocabulary {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");
    private static final String SPACE = "\u2581";

    private HfVocabulary() {}

    /** The special ids a model's config.json or generation_config.json names (-1 / empty when absent). */
    public record ConfigIds(int bos, int[] eos) {
        public static final ConfigIds NONE = new ConfigIds(-1, new int[0]);
    }

    /**
     * The vocabulary of a Hugging Face folder: tokenizer.json with tokenizer_config.json (or chat_template.jinja),
     * special ids from generation_config.json / config.json where tokenizer_config.json names none.
     */
    public static Vocabulary readFolder(Path dir) throws IOException {
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) throw new IOException(dir + " has no tokenizer.json");
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
        String template = null;
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) template = Files.readString(jinja);
        JsonNode model = readJson(dir.resolve("config.json")), gen = readJson(dir.resolve("generation_config.json"));
        int bos = gen.path("bos_token_id").asInt(model.path("bos_token_id").asInt(-1));
        int[] eos = ids(gen.has("eos_token_id") ? gen.get("eos_token_id") : model.path("eos_token_id"));
        return parse(readJson(tokenizer), config, template, new ConfigIds(bos, eos), tokenizer.toString());
    }

    /** A tokenizer.json alone (a jspeed run's: byte-level BPE or jspeed's 256-byte tokenizer; no special tokens). */
    public static Vocabulary readTokenizerJson(Path tokenizerJson) throws IOException {
        return parse(readJson(tokenizerJson), JSON.createObjectNode(), null, ConfigIds.NONE, tokenizerJson.toString());
    }

    /**
     * @param tokenizerConfig tokenizer_config.json's content (an empty object when there is none)
     * @param chatTemplate    a chat template from elsewhere (chat_template.jinja), used when the config has none
     */
    public static Vocabulary parse(JsonNode tokenizer, JsonNode tokenizerConfig, String chatTemplate, ConfigIds configIds, String source) {
        JsonNode model = tokenizer.path("model");
        String type = model.path("type").asText("");
        if (type.equals("bytes")) return jspeedBytes();
        if (!type.equals("BPE"))
            throw new IllegalArgumentException(source + ": model.type \"" + type + "\" cannot be converted; supported: BPE "
                    + "(SentencePiece-style with byte_fallback, or byte-level)");
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix"))
            if (!model.path(affix).asText("").isEmpty())
                throw new IllegalArgumentException(source + ": model." + affix + " = " + model.get(affix) + " is not supported; expected null");
        boolean spm = model.path("byte_fallback").asBoolean(false);
        Map<String, Integer> vocab = new HashMap<>();
        int size = 0;
        for (var e : model.path("vocab").properties()) {
            vocab.put(e.getKey(), e.getValue().asInt());
            size = Math.max(size, e.getValue().asInt() + 1);
        }
        if (vocab.isEmpty()) throw new IllegalArgumentException(source + ": model.vocab is missing or empty");
        JsonNode added = tokenizer.path("added_tokens");
        for (JsonNode t : added) size = Math.max(size, t.path("id").asInt() + 1);
        String[] tokens = new String[size];
        int[] types = new int[size];
        vocab.forEach((token, id) -> tokens[id] = token);
        Arrays.fill(types, Vocabulary.NORMAL);
        for (JsonNode t : added) {
            int id = t.path("id").asInt();
            tokens[id] = t.path("content").asText();
            types[id] = t.path("special").asBoolean(false) ? Vocabulary.CONTROL : Vocabulary.USER_DEFINED;
        }
        for (int i = 0; i < size; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = Vocabulary.UNUSED;
            } else if (spm && types[i] == Vocabulary.NORMAL && BYTE_TOKEN.matcher(tokens[i]).matches()) {
                types[i] = Vocabulary.BYTE;
            }
        }
        Map<String, Integer> byContent = new HashMap<>(vocab);
        for (JsonNode t : added) byContent.put(t.path("content").asText(), t.path("id").asInt());
        List<String> merges = merges(model.path("merges"), source);
        int unk = id(byContent, tokenizerConfig.get("unk_token"), id(byContent, model.get("unk_token"), -1));
        if (unk >= 0 && types[unk] == Vocabulary.NORMAL) types[unk] = Vocabulary.UNKNOWN;
        Vocabulary.Specials specials = specials(tokenizer, tokenizerConfig, configIds, byContent, unk, size);
        String template = chatTemplate(tokenizerConfig, chatTemplate);
        List<String> tokenList = Arrays.asList(tokens);
        if (spm) {
            boolean prefix = spaceHandling(tokenizer, source);
            return new Vocabulary(Vocabulary.Kind.SENTENCEPIECE, tokenList, types, SpmMerges.scores(tokenList, types, merges, vocab),
                    null, null, prefix, specials, template);
        }
        JsonNode normalizer = tokenizer.get("normalizer");
        if (normalizer != null && !normalizer.isNull() && !"NFC".equals(normalizer.path("type").asText()))
            throw new IllegalArgumentException(source + ": normalizer " + normalizer + " is not supported for byte-level BPE; expected null or NFC");
        String pre = PreTokenizers.ggufName(tokenizer.get("pre_tokenizer"), source);
        return new Vocabulary(Vocabulary.Kind.BYTE_LEVEL, tokenList, types, null, merges, pre, false, specials, template);
    }

    /** jspeed's 256-byte tokenizer is byte-level BPE without merges: token b is byte b in GPT-2's alphabet. */
    private static Vocabulary jspeedBytes() {
        List<String> tokens = new ArrayList<>(256);
        int[] types = new int[256];
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.CHARS[b]));
            types[b] = Vocabulary.NORMAL;
        }
        return new Vocabulary(Vocabulary.Kind.BYTE_LEVEL, tokens, types, null, List.of(), PreTokenizers.GPT2, false,
                Vocabulary.Specials.NONE, null);
    }

    /** Whether a SentencePiece-style tokenizer.json puts a space before the text (Prepend normalizer or Metaspace). */
    private static boolean spaceHandling(JsonNode tokenizer, String source) {
        JsonNode norm = tokenizer.get("normalizer"), pre = tokenizer.get("pre_tokenizer");
        boolean noPre = pre == null || pre.isNull();
        if (norm != null && !norm.isNull()) {
            List<JsonNode> steps = new ArrayList<>();
            if ("Sequence".equals(norm.path("type").asText())) norm.path("normalizers").forEach(steps::add);
            else steps.add(norm);
            boolean prepend = false, replace = false;
            for (JsonNode s : steps) {
                String t = s.path("type").asText();
                if (t.equals("Prepend") && SPACE.equals(s.path("prepend").asText()) && !replace) prepend = true;
                else if (t.equals("Replace") && " ".equals(s.path("pattern").path("String").asText(null)) && SPACE.equals(s.path("content").asText())) replace = true;
                else replace = false; // anything else: refused below
            }
            if (replace && noPre && steps.size() == (prepend ? 2 : 1)) return prepend;
            throw new IllegalArgumentException(source + ": normalizer " + norm + " with pre_tokenizer " + pre + " is not SentencePiece's "
                    + "space handling; expected [Prepend \"\u2581\"], Replace \" \" -> \"\u2581\" and no pre_tokenizer");
        }
        if (pre != null && "Metaspace".equals(pre.path("type").asText()) && SPACE.equals(pre.path("replacement").asText())
                && !pre.path("split").asBoolean(true)) {
            String scheme = pre.has("prepend_scheme") ? pre.get("prepend_scheme").asText() : pre.path("add_prefix_space").asBoolean(true) ? "always" : "never";
            if (!scheme.equals("always") && !scheme.equals("first") && !scheme.equals("never"))
                throw new IllegalArgumentException(source + ": pre_tokenizer.prepend_scheme \"" + scheme + "\" is not supported");
            return !scheme.equals("never");
        }
        throw new IllegalArgumentException(source + ": a byte_fallback BPE needs SentencePiece's space handling (a Replace \" \" -> \"\u2581\" "
                + "normalizer or a Metaspace pre_tokenizer with split=false); found normalizer " + norm + ", pre_tokenizer " + pre);
    }

    private static Vocabulary.Specials specials(JsonNode tokenizer, JsonNode config, ConfigIds ids, Map<String, Integer> byContent,
                                                int unk, int size) {
        int bos = config.has("bos_token") ? id(byContent, config.get("bos_token"), -1) : ids.bos();
        int eos = config.has("eos_token") ? id(byContent, config.get("eos_token"), -1) : ids.eos().length > 0 ? ids.eos()[0] : -1;
        int eot = -1;
        for (int e : ids.eos()) if (e != eos && eot < 0) eot = e;
        int pad = id(byContent, config.get("pad_token"), -1);
        boolean[] template = templateSpecials(tokenizer.get("post_processor"));
        boolean addBos = config.path("add_bos_token").isBoolean() ? config.get("add_bos_token").asBoolean() : template[0];
        boolean addEos = config.path("add_eos_token").isBoolean() ? config.get("add_eos_token").asBoolean() : template[1];
        return new Vocabulary.Specials(inRange(bos, size), inRange(eos, size), inRange(eot, size), unk, pad, addBos, addEos);
    }

    private static int inRange(int id, int size) {
        return id >= 0 && id < size ? id : -1;
    }

    /** Whether the post_processor's single-sequence template starts / ends with a special token. */
    private static boolean[] templateSpecials(JsonNode post) {
        boolean[] out = new boolean[2];
        if (post == null || post.isNull()) return out;
        if ("Sequence".equals(post.path("type").asText())) {
            for (JsonNode p : post.path("processors")) {
                boolean[] inner = templateSpecials(p);
                out[0] |= inner[0];
                out[1] |= inner[1];
            }
        } else if ("TemplateProcessing".equals(post.path("type").asText())) {
            JsonNode single = post.path("single");
            out[0] = single.size() > 0 && single.get(0).has("SpecialToken");
            out[1] = single.size() > 1 && single.get(single.size() - 1).has("SpecialToken");
        }
        return out;
    }

    /** A token given as a string or as an AddedToken object {"content": ...}. */
    private static int id(Map<String, Integer> byContent, JsonNode token, int fallback) {
        if (token == null || token.isNull()) return fallback;
        String content = token.isTextual() ? token.asText() : token.path("content").asText(null);
        return content == null ? fallback : byContent.getOrDefault(content, fallback);
    }

    private static String chatTemplate(JsonNode config, String fallback) {
        JsonNode node = config.get("chat_template");
        if (node != null && node.isTextual()) return node.asText();
        if (node != null && node.isArray())
            for (JsonNode t : node) if ("default".equals(t.path("name").asText())) return t.path("template").asText(null);
        return fallback;
    }

    private static List<String> merges(JsonNode node, String source) {
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode m : node) {
            if (m.isTextual()) out.add(m.asText());
            else if (m.isArray() && m.size() == 2) out.add(m.get(0).asText() + " " + m.get(1).asText());
            else throw new IllegalArgumentException(source + ": model.merges entry " + m + " is neither \"left right\" nor [left, right]");
        }
        return out;
    }

    /**
     * A tokenizer.json for the vocabulary. {@code postProcessor}: add the BOS/EOS the vocabulary asks for through a
     * TemplateProcessing post_processor, as Hugging Face files do.
     */
    public static String tokenizerJson(Vocabulary v, boolean postProcessor) {
        Map<String, Integer> ids = v.ids();
        boolean spm = v.kind() == Vocabulary.Kind.SENTENCEPIECE;
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < v.size(); id++) {
            int t = v.types()[id];
            if (t != Vocabulary.CONTROL && t != Vocabulary.USER_DEFINED && t != Vocabulary.UNKNOWN) continue;
            added.addObject().put("id", id).put("content", v.tokens().get(id)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", t != Vocabulary.USER_DEFINED);
        }
        if (spm) {
            ObjectNode norm = root.putObject("normalizer").put("type", "Sequence");
            ArrayNode steps = norm.putArray("normalizers");
            if (v.addSpacePrefix()) steps.addObject().put("type", "Prepend").put("prepend", SPACE);
            ObjectNode replace = steps.addObject().put("type", "Replace");
            replace.putObject("pattern").put("String", " ");
            replace.put("content", SPACE);
            root.putNull("pre_tokenizer");
        } else {
            root.set("normalizer", PreTokenizers.normalizer(v.pre()));
            root.set("pre_tokenizer", PreTokenizers.json(v.pre()));
        }
        root.set("post_processor", postProcessor ? template(v) : JSON.nullNode());
        root.set("decoder", spm ? spmDecoder(v.addSpacePrefix()) : PreTokenizers.byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        if (spm && v.specials().unknown() >= 0) model.put("unk_token", v.token(v.specials().unknown()));
        else model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", spm);
        model.put("byte_fallback", spm);
        model.put("ignore_merges", PreTokenizers.LLAMA3.equals(v.pre()));
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < v.size(); id++) vocab.put(v.tokens().get(id), id);
        ArrayNode merges = model.putArray("merges");
        if (spm) for (String[] m : SpmMerges.merges(v, ids)) merges.addArray().add(m[0]).add(m[1]);
        else for (String m : v.merges()) merges.add(m);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize tokenizer.json", e);
        }
    }

    private static ObjectNode spmDecoder(boolean stripPrefix) {
        ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
        ArrayNode steps = seq.putArray("decoders");
        ObjectNode replace = steps.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", SPACE);
        replace.put("content", " ");
        steps.addObject().put("type", "ByteFallback");
        steps.addObject().put("type", "Fuse");
        if (stripPrefix) steps.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        return seq;
    }

    /** TemplateProcessing that puts BOS before (and EOS after) a sequence, when the vocabulary adds them. */
    private static JsonNode template(Vocabulary v) {
        Vocabulary.Specials s = v.specials();
        boolean bos = s.addBos() && s.bos() >= 0, eos = s.addEos() && s.eos() >= 0;
        if (!bos && !eos) return JSON.nullNode();
        ObjectNode t = JSON.createObjectNode().put("type", "TemplateProcessing");
        ObjectNode specials = JSON.createObjectNode();
        for (String part : List.of("single", "pair")) {
            ArrayNode list = t.putArray(part);
            for (int seq = 0; seq < (part.equals("pair") ? 2 : 1); seq++) {
                if (bos) list.addObject().putObject("SpecialToken").put("id", v.token(s.bos())).put("type_id", seq);
                list.addObject().putObject("Sequence").put("id", seq == 0 ? "A" : "B").put("type_id", seq);
                if (eos) list.addObject().putObject("SpecialToken").put("id", v.token(s.eos())).put("type_id", seq);
            }
        }
        for (int id : new int[] {bos ? s.bos() : -1, eos ? s.eos() : -1}) {
            if (id < 0) continue;
            ObjectNode e = specials.putObject(v.token(id)).put("id", v.token(id));
            e.putArray("ids").add(id);
            e.putArray("tokens").add(v.token(id));
        }
        t.set("special_tokens", specials);
        return t;
    }

    /** A tokenizer_config.json: special tokens by content, add_bos/eos, the chat template. */
    public static ObjectNode tokenizerConfig(Vocabulary v, int modelMaxLength) {
        Vocabulary.Specials s = v.specials();
        ObjectNode c = JSON.createObjectNode();
        c.put("add_bos_token", s.addBos()).put("add_eos_token", s.addEos());
        c.put("bos_token", v.token(s.bos())).put("eos_token", v.token(s.eos())).put("unk_token", v.token(s.unknown()))
                .put("pad_token", v.token(s.padding()));
        if (v.chatTemplate() != null) c.put("chat_template", v.chatTemplate());
        c.put("clean_up_tokenization_spaces", false).put("model_max_length", modelMaxLength)
                .put("tokenizer_class", "PreTrainedTokenizerFast");
        return c;
    }

    /** A JSON object file, or an empty object when the file does not exist. */
    private static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return JSON.createObjectNode();
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) throw new IOException(file + ": expected a JSON object");
        return n;
    }

    private static int[] ids(JsonNode node) {
        if (node.isInt()) return new int[] {node.asInt()};
        if (node.isArray()) {
            int[] out = new int[node.size()];
            for (int i = 0; i < out.length; i++) out[i] = node.get(i).asInt();
            return out;
        }
        return new int[0];
    }
}
