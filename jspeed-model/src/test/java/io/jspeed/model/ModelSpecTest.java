package io.jspeed.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A spec the training blocks cannot build is refused up front, naming the key, the value and what was expected. */
class ModelSpecTest {

    @Test
    void refusesChoicesTheTrainingBlocksDoNotHave() {
        assertThatThrownBy(() -> new ModelSpec(Family.QWEN3, 32, 1, 4, 2, 16, 24, 8, 1e-6f, 1e6f))
                .hasMessageContaining("model.type=qwen3").hasMessageContaining("q/k norm");
        assertThatThrownBy(() -> new ModelSpec(Family.GPT2, 32, 1, 4, 2, 16, 64, 8, 1e-5f, 0f))
                .hasMessageContaining("model.n_kv_head=2").hasMessageContaining("attn.c_attn");
        assertThatThrownBy(() -> new ModelSpec(Family.LLAMA, 32, 1, 4, 2, 12, 24, 8, 1e-5f, 1e4f))
                .hasMessageContaining("model.n_head=4").hasMessageContaining("RoPE");
    }

    @Test
    void aFamilyMustNameWhatItsChoicesNeed() {
        assertThatThrownBy(() -> new Family("x", Family.Norm.RMS_NORM, true, Family.Mlp.SWIGLU, false, false, false, false, HfNames.LLAMA))
                .hasMessageContaining("learned positions");
        assertThatThrownBy(() -> new Family("x", Family.Norm.RMS_NORM, false, Family.Mlp.GELU, false, false, false, false, HfNames.LLAMA))
                .hasMessageContaining("GELU").hasMessageContaining("mlp.gate_proj");
    }
}
