package io.jspeed.infer.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Random-weight Hugging Face folders of every supported architecture, for tests outside this package. */
public final class HfTestFolders {

    public static final String LLAMA = ModelFilesTest.LLAMA, MISTRAL = ModelFilesTest.MISTRAL, QWEN2 = ModelFilesTest.QWEN2,
            QWEN3 = ModelFilesTest.QWEN3, GPT2 = ModelFilesTest.GPT2;

    private HfTestFolders() {}

    /** config.json (as given) and a model.safetensors of random F32 weights; returns the parsed config. */
    public static LmConfig write(Path dir, String configJson) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson);
        LmConfig config = HfConfig.read(dir.resolve("config.json"));
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        ModelFilesTest.randomWeights(config, "", weights, shapes);
        ModelFilesTest.writeSafetensors(dir.resolve("model.safetensors"), weights, shapes);
        return config;
    }
}
