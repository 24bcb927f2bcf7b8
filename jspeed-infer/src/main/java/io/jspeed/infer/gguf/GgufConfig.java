package io.jspeed.infer.gguf;

import io.jspeed.model.Family;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.RopeLayout;
import io.jspeed.infer.model.RopeScaling;
import io.jspeed.model.format.FormatException;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufMetadata;

import java.util.Map;

/**
 * An {@link LmConfig} from GGUF metadata ({@code general.architecture} and its {@code {arch}.*} keys). llama.cpp's
 * converter permutes Llama q/k rows for its interleaved RoPE, so Llama files rotate interleaved pairs; Qwen files are
 * stored as Hugging Face has them (rotate-half).
 */
public final class GgufConfig {

    private static final Map<String, Family> FAMILIES = Map.of("llama", Family.LLAMA, "qwen2", Family.QWEN2, "qwen3", Family.QWEN3, "gpt2", Family.GPT2);

    private GgufConfig() {}

    public static LmConfig read(GgufFile file) throws FormatException {
        GgufMetadata m = file.metadata();
        String arch = m.string("general.architecture");
        Family family = FAMILIES.get(arch);
        if (family == null)
            throw new FormatException(file.path(), "general.architecture \"" + arch + "\" is not supported; expected llama, qwen2, qwen3 or gpt2");
        String a = arch + ".";
        int dModel = m.int32(a + "embedding_length"), heads = m.int32(a + "attention.head_count");
        int kvHeads = m.optInt32(a + "attention.head_count_kv").orElse(heads);
        int headDim = m.optInt32(a + "attention.key_length").orElse(dModel / heads);
        int vocab = (int) file.tensor("token_embd.weight").rows();
        float eps = family.norm() == Family.Norm.RMS_NORM ? m.float32(a + "attention.layer_norm_rms_epsilon") : m.float32(a + "attention.layer_norm_epsilon");
        RopeScaling scaling = RopeScaling.NONE;
        String scalingType = m.optString(a + "rope.scaling.type").orElse("none");
        if (scalingType.equals("linear")) scaling = RopeScaling.linear(m.float32(a + "rope.scaling.factor"));
        else if (!scalingType.equals("none"))
            throw new FormatException(file.path(), "metadata \"" + a + "rope.scaling.type\" is \"" + scalingType + "\"; supported: none, linear (Llama 3 scaling comes as rope_freqs.weight)");
        int ropeDims = m.optInt32(a + "rope.dimension_count").orElse(headDim);
        if (!family.learnedPositions() && ropeDims != headDim)
            throw new FormatException(file.path(), "metadata \"" + a + "rope.dimension_count\" is " + ropeDims + "; partial rotary embeddings are not supported (expected " + headDim + ")");
        RopeLayout layout = arch.equals("llama") ? RopeLayout.INTERLEAVED : RopeLayout.ROTATE_HALF;
        return new LmConfig(family, vocab, m.int32(a + "block_count"), heads, kvHeads, dModel, headDim, m.int32(a + "feed_forward_length"),
                m.int32(a + "context_length"), eps, m.optFloat32(a + "rope.freq_base").orElse(10000f), scaling, layout,
                !file.contains("output.weight"));
    }
}
