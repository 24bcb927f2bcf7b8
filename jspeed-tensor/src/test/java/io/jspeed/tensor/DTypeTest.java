package io.jspeed.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DTypeTest {

    @Test
    void byteSizesMatchTheFormats() {
        assertThat(DType.F32.byteSize()).isEqualTo(4);
        assertThat(DType.F16.byteSize()).isEqualTo(2);
        assertThat(DType.BF16.byteSize()).isEqualTo(2);
        assertThat(DType.I32.byteSize()).isEqualTo(4);
        assertThat(DType.I64.byteSize()).isEqualTo(8);
        assertThat(DType.I8.byteSize()).isEqualTo(1);
        assertThat(DType.U8.byteSize()).isEqualTo(1);
    }

    @Test
    void everyTypeRoundTripsThroughItsSafetensorsName() {
        for (DType t : DType.values()) {
            assertThat(DType.fromSafetensorsName(t.safetensorsName())).isSameAs(t);
        }
        assertThat(DType.BF16.safetensorsName()).isEqualTo("BF16");
    }

    @Test
    void unknownNameIsRejectedWithTheAcceptedOnes() {
        assertThatThrownBy(() -> DType.fromSafetensorsName("F8_E4M3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("F8_E4M3")
                .hasMessageContaining("F32")
                .hasMessageContaining("BF16");
        assertThatThrownBy(() -> DType.fromSafetensorsName("f32"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
