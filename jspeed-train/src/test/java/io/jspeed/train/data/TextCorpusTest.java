package io.jspeed.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextCorpusTest {

    private static List<String> texts(List<TextCorpus.Document> docs) {
        return docs.stream().map(TextCorpus.Document::text).toList();
    }

    @Test
    void readsATextFileAFolderAZipAndJsonl(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("one.txt"), "héllo");
        assertThat(texts(TextCorpus.read(file))).containsExactly("héllo");

        Path folder = Files.createDirectories(tmp.resolve("folder/sub"));
        Files.writeString(folder.resolve("b.txt"), "second");
        Files.writeString(tmp.resolve("folder/a.txt"), "first");
        Files.write(tmp.resolve("folder/blob.bin"), new byte[] {1, 0, 2});
        assertThat(texts(TextCorpus.read(tmp.resolve("folder")))).containsExactly("first", "second");

        Path zip = tmp.resolve("c.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("x/B.java"));
            z.write("class B {}".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("x/A.java"));
            z.write("class A {}".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(texts(TextCorpus.read(zip))).containsExactly("class A {}", "class B {}");

        Path jsonl = Files.writeString(tmp.resolve("d.jsonl"), "{\"text\": \"alpha\", \"id\": 1}\n\n{\"text\": \"beta\\nline\"}\n");
        assertThat(texts(TextCorpus.read(jsonl))).containsExactly("alpha", "beta\nline");
    }

    @Test
    void badInputNamesTheFileAndLine(@TempDir Path tmp) throws IOException {
        assertThatThrownBy(() -> TextCorpus.read(tmp.resolve("missing.txt"))).hasMessageContaining("missing.txt");
        Path noText = Files.writeString(tmp.resolve("e.jsonl"), "{\"text\": \"ok\"}\n{\"body\": \"x\"}\n");
        assertThatThrownBy(() -> TextCorpus.read(noText)).hasMessageContaining("e.jsonl line 2").hasMessageContaining("\"text\"");
        Path broken = Files.writeString(tmp.resolve("f.jsonl"), "{\"text\": \n");
        assertThatThrownBy(() -> TextCorpus.read(broken)).hasMessageContaining("f.jsonl line 1").hasMessageContaining("not valid JSON");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> TextCorpus.read(tmp.resolve("empty"))).hasMessageContaining("no text files");
    }

    @Test
    void theDefaultCorpusIsTheRunningJdksJavaBaseSources() throws IOException {
        List<TextCorpus.Document> docs = TextCorpus.jdkSources();
        assertThat(docs).hasSizeGreaterThan(1000);
        assertThat(docs).allMatch(d -> d.source().contains("!java.base/") && d.source().endsWith(".java"));
        assertThat(docs).anyMatch(d -> d.source().endsWith("java/lang/Object.java"));
    }

    @Test
    void splitIsSeededAndDisjoint() {
        List<TextCorpus.Document> docs = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> new TextCorpus.Document("d" + i, "text " + i)).toList();
        var a = TokenDataset.split(docs, 0.1, 7);
        var b = TokenDataset.split(docs, 0.1, 7);
        assertThat(a).isEqualTo(b);
        assertThat(a.get(0)).hasSize(10);
        assertThat(a.get(1)).hasSize(90).doesNotContainAnyElementsOf(a.get(0));
        assertThat(TokenDataset.split(docs, 0.1, 8).get(0)).isNotEqualTo(a.get(0));
    }
}
