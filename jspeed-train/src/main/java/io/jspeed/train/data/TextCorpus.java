package io.jspeed.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads training text as a list of documents from a text file, a folder of text files, a .zip, or a JSONL file
 * with a "text" field. The default is the running JDK's own sources ({@code lib/src.zip}, module java.base).
 */
public final class TextCorpus {

    private static final long MAX_FILE_BYTES = 64L << 20;

    private TextCorpus() {}

    /** A document and where it came from (for messages and splits). */
    public record Document(String source, String text) {}

    /** The running JDK's src.zip, restricted to java.base sources. */
    public static List<Document> jdkSources() throws IOException {
        Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        if (!Files.isRegularFile(zip))
            throw new IOException("the default corpus " + zip + " is missing: this JDK ships without sources; pass --data PATH "
                    + "(a text file, folder, .zip or .jsonl) or install a JDK that includes lib/src.zip");
        return readZip(zip, name -> name.startsWith("java.base/") && name.endsWith(".java"));
    }

    public static List<Document> read(Path path) throws IOException {
        if (!Files.exists(path)) throw new IOException("data path " + path + " does not exist; expected a text file, a folder, a .zip or a .jsonl file");
        if (Files.isDirectory(path)) return readFolder(path);
        String name = path.getFileName().toString().toLowerCase();
        if (name.endsWith(".zip")) return readZip(path, n -> !n.endsWith("/"));
        if (name.endsWith(".jsonl")) return readJsonl(path);
        return List.of(new Document(path.toString(), Files.readString(path, StandardCharsets.UTF_8)));
    }

    private static List<Document> readFolder(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
        }
        List<Document> docs = new ArrayList<>();
        for (Path f : files) {
            if (Files.size(f) > MAX_FILE_BYTES) continue;
            byte[] bytes = Files.readAllBytes(f);
            if (looksBinary(bytes)) continue;
            docs.add(new Document(f.toString(), new String(bytes, StandardCharsets.UTF_8)));
        }
        if (docs.isEmpty()) throw new IOException("data folder " + dir + " holds no text files");
        return docs;
    }

    private static List<Document> readZip(Path zip, java.util.function.Predicate<String> accept) throws IOException {
        List<Document> docs = new ArrayList<>();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            List<? extends ZipEntry> entries = zf.stream().filter(e -> !e.isDirectory() && accept.test(e.getName()))
                    .sorted(Comparator.comparing(ZipEntry::getName)).toList();
            for (ZipEntry e : entries) {
                try (InputStream in = zf.getInputStream(e)) {
                    byte[] bytes = in.readAllBytes();
                    if (looksBinary(bytes)) continue;
                    docs.add(new Document(zip + "!" + e.getName(), new String(bytes, StandardCharsets.UTF_8)));
                }
            }
        }
        if (docs.isEmpty()) throw new IOException("zip " + zip + " holds no text entries");
        return docs;
    }

    private static List<Document> readJsonl(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Document> docs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IOException(file + " line " + lineNo + ": not valid JSON (" + e.getOriginalMessage() + ")");
                }
                JsonNode text = node.get("text");
                if (text == null || !text.isTextual())
                    throw new IOException(file + " line " + lineNo + ": expected an object with a string field \"text\"");
                docs.add(new Document(file + ":" + lineNo, text.asText()));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (docs.isEmpty()) throw new IOException("JSONL file " + file + " holds no documents");
        return docs;
    }

    private static boolean looksBinary(byte[] bytes) {
        int n = Math.min(bytes.length, 4096);
        for (int i = 0; i < n; i++) if (bytes[i] == 0) return true;
        return false;
    }
}
