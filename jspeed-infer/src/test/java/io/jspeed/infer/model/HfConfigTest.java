package io.jspeed.infer.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jspeed.model.Family;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HfConfigTest {

    private static LmConfig parse(String json) throws Exception {
        return HfConfig.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void eachArchitectureMapsToItsFamilyAndShape() throws Exception {
        LmConfig llama = parse(ModelFilesTest.LLAMA);
        assertThat(llama.family()).isEqualTo(Family.LLAMA);
        assertThat(llama.nKvHead()).isEqualTo(2);
        assertThat(llama.headDim()).isEqualTo(8);
        assertThat(llama.tiedHead()).isFalse();
        assertThat(llama.ropeScaling().kind()).isEqualTo(RopeScaling.Kind.LLAMA3);
        assertThat(parse(ModelFilesTest.MISTRAL).family()).isEqualTo(Family.LLAMA);
        assertThat(parse(ModelFilesTest.MISTRAL).ropeTheta()).isEqualTo(1e6);
        LmConfig qwen2 = parse(ModelFilesTest.QWEN2);
        assertThat(qwen2.family().qkvBias()).isTrue();
        assertThat(qwen2.tiedHead()).isTrue();
        assertThat(qwen2.normEps()).isEqualTo(1e-6f);
        LmConfig qwen3 = parse(ModelFilesTest.QWEN3);
        assertThat(qwen3.family().qkNorm()).isTrue();
        assertThat(qwen3.headDim()).isEqualTo(16);
        assertThat(qwen3.qWidth()).isEqualTo(64);
        LmConfig gpt2 = parse(ModelFilesTest.GPT2);
        assertThat(gpt2.family()).isEqualTo(Family.GPT2);
        assertThat(gpt2.dFf()).isEqualTo(128);
        assertThat(gpt2.contextLength()).isEqualTo(16);
        assertThat(gpt2.tiedHead()).isTrue();
        // model_type is enough when architectures is absent
        assertThat(parse("{\"model_type\": \"qwen2\", \"vocab_size\": 8, \"hidden_size\": 8, \"num_hidden_layers\": 1, "
                + "\"num_attention_heads\": 2, \"intermediate_size\": 8, \"max_position_embeddings\": 8}").family()).isEqualTo(Family.QWEN2);
    }

    @Test
    void llama3ScalingByHand() throws Exception {
        // head_dim 8, theta 1e4: base frequencies 1, 0.1, 0.01, 0.001 (wavelengths 6.28, 62.8, 628, 6283).
        // Original context 16: wavelengths above 16/1 are divided by 8; 6.28 lies between 16/4 and 16 and blends.
        double[] f = parse(ModelFilesTest.LLAMA).ropeScaling().inverseFrequencies(10000, 8);
        double smooth = (16 / (2 * Math.PI) - 1) / (4 - 1);
        assertThat(f[0]).isCloseTo((1 - smooth) * 1 / 8 + smooth * 1, within(1e-12));
        assertThat(f[1]).isCloseTo(0.1 / 8, within(1e-12));
        assertThat(f[3]).isCloseTo(0.001 / 8, within(1e-12));
        assertThat(RopeScaling.linear(4).inverseFrequencies(10000, 8)[1]).isCloseTo(0.1 / 4, within(1e-12));
    }

    @Test
    void unsupportedOrIncompleteConfigsAreNamed() {
        assertThatThrownBy(() -> parse("{\"architectures\": [\"PhiForCausalLM\"]}"))
                .hasMessageContaining("config.json").hasMessageContaining("\"PhiForCausalLM\"").hasMessageContaining("Qwen3ForCausalLM");
        assertThatThrownBy(() -> parse("{\"architectures\": [\"LlamaForCausalLM\"], \"vocab_size\": 8}"))
                .hasMessageContaining("\"hidden_size\"");
        assertThatThrownBy(() -> parse(ModelFilesTest.MISTRAL.replace("\"sliding_window\": 4096", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}")))
                .hasMessageContaining("\"yarn\"");
        assertThatThrownBy(() -> parse(ModelFilesTest.QWEN2.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3")))
                .hasMessageContaining("num_key_value_heads=3");
    }
}
