package io.jspeed.infer.gguf;

import io.jspeed.infer.model.LayerWeights;
import io.jspeed.infer.model.LmConfig;
import io.jspeed.infer.model.LmWeights;
import io.jspeed.infer.model.NormWeights;
import io.jspeed.infer.weights.WeightFormats;
import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.format.gguf.GgufFile;
import io.jspeed.model.format.gguf.GgufTensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2 in GGUF (llama.cpp's naming): matrices are already [out, in], and q|k|v is one attn_qkv tensor whose row
 * ranges become three matrices over slices of the same mapped bytes (rows are independent in every ggml type).
 */
final class GgufGpt2Layout {

    private GgufGpt2Layout() {}

    static LmWeights assemble(LmConfig c, GgufFile file) throws IOException {
        GgufSource src = new GgufSource(file);
        int d = c.dModel();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "blk." + l + ".";
            GgufTensor qkv = file.tensor(p + "attn_qkv.weight");
            if (qkv.rows() != 3L * d || qkv.cols() != d)
                throw new IOException(file.path() + ": tensor " + qkv.name() + " is " + qkv.rows() + " x " + qkv.cols() + ", expected " + 3 * d + " x " + d);
            float[] qkvBias = src.floats(p + "attn_qkv.bias");
            layers.add(new LayerWeights(norm(src, p + "attn_norm"),
                    slice(qkv, 0, d), slice(qkv, d, d), slice(qkv, 2 * d, d),
                    java.util.Arrays.copyOfRange(qkvBias, 0, d), java.util.Arrays.copyOfRange(qkvBias, d, 2 * d),
                    java.util.Arrays.copyOfRange(qkvBias, 2 * d, 3 * d), null, null,
                    src.matrix(p + "attn_output.weight"), src.floats(p + "attn_output.bias"),
                    norm(src, p + "ffn_norm"), null,
                    src.matrix(p + "ffn_up.weight"), src.floats(p + "ffn_up.bias"),
                    src.matrix(p + "ffn_down.weight"), src.floats(p + "ffn_down.bias")));
        }
        WeightMatrix embed = src.matrix("token_embd.weight");
        WeightMatrix head = file.contains("output.weight") ? src.matrix("output.weight") : embed;
        return new LmWeights(c, embed, src.floats("position_embd.weight"), layers, norm(src, "output_norm"), head, null);
    }

    private static WeightMatrix slice(GgufTensor t, int firstRow, int rows) {
        long rowBytes = t.type().byteSize(t.cols());
        return WeightFormats.of(t.type(), rows, (int) t.cols(), t.data().asSlice(firstRow * rowBytes, rows * rowBytes));
    }

    private static NormWeights norm(GgufSource src, String prefix) throws IOException {
        return new NormWeights(src.floats(prefix + ".weight"), src.floats(prefix + ".bias"));
    }
}
