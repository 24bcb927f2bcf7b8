package io.jspeed.infer.convert;

import io.jspeed.infer.model.LmWeights;
import io.jspeed.infer.model.LoadedModel;
import io.jspeed.infer.model.ModelLoader;
import io.jspeed.infer.model.ModelLocation;
import io.jspeed.model.format.gguf.GgufFile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What a conversion reads: the model as jspeed loads it (config and weights, whatever the file), where it came from,
 * its vocabulary, and a name for general.name.
 */
record SourceModel(ModelLocation location, LoadedModel model, SourceVocabulary vocabulary, String name) implements AutoCloseable {

    static SourceModel open(Path in) throws IOException {
        ModelLocation at = ModelLocation.of(in);
        LoadedModel model = ModelLoader.load(in);
        try {
            return new SourceModel(at, model, SourceVocabulary.read(at), name(at, model));
        } catch (IOException | RuntimeException e) {
            closeQuietly(model, e);
            throw e;
        }
    }

    LmWeights weights() {
        return model.weights();
    }

    private static String name(ModelLocation at, LoadedModel model) throws IOException {
        if (model.files() instanceof GgufFile f) return f.metadata().optString("general.name").orElse(stem(at.path()));
        return stem(at.kind() == ModelLocation.Kind.JSPEED ? at.runDir() : at.path());
    }

    private static String stem(Path p) {
        String n = p.toAbsolutePath().normalize().getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }

    private static void closeQuietly(LoadedModel model, Exception e) {
        try {
            model.close();
        } catch (Exception c) {
            e.addSuppressed(c);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            model.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
