package io.jspeed.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BF16Test {

    static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        assertThat(BF16.fromFloat(1f)).isEqualTo((short) 0x3F80);
        // exactly half-way: 0x3F80_8000 lies between 0x3F80 (even) and 0x3F81, goes to even
        assertThat(BF16.fromFloat(bits(0x3F80_8000))).isEqualTo((short) 0x3F80);
        // half-way above an odd value rounds up to the even one
        assertThat(BF16.fromFloat(bits(0x3F81_8000))).isEqualTo((short) 0x3F82);
        // just above and below half-way
        assertThat(BF16.fromFloat(bits(0x3F80_8001))).isEqualTo((short) 0x3F81);
        assertThat(BF16.fromFloat(bits(0x3F80_7FFF))).isEqualTo((short) 0x3F80);
        // negative values round by magnitude
        assertThat(BF16.fromFloat(bits(0xBF80_8001))).isEqualTo((short) 0xBF81);
        assertThat(BF16.fromFloat(-1f)).isEqualTo((short) 0xBF80);
        assertThat(BF16.toFloat((short) 0xC040)).isEqualTo(-3f);
    }

    @Test
    void specialValues() {
        assertThat(BF16.toFloat(BF16.fromFloat(Float.POSITIVE_INFINITY))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(BF16.toFloat(BF16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(BF16.toFloat(BF16.fromFloat(Float.NaN))).isNaN();
        // a NaN whose payload sits only in the dropped low bits must not become infinity
        assertThat(BF16.toFloat(BF16.fromFloat(bits(0x7F80_0001)))).isNaN();
        assertThat(BF16.toFloat(BF16.fromFloat(bits(0xFF80_0001)))).isNaN();
        // the largest float rounds up past the largest bf16, to infinity
        assertThat(BF16.toFloat(BF16.fromFloat(Float.MAX_VALUE))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(BF16.fromFloat(-0f)).isEqualTo((short) 0x8000);
        assertThat(BF16.fromFloat(Float.MIN_VALUE)).isEqualTo((short) 0);  // smallest subnormal rounds to zero
    }

    @Test
    void encodeDecodeAndRoundInPlaceAgreeWithScalar() {
        Random rnd = new Random(1);
        for (int n : new int[] {1, 15, 16, 17, 37, 1000}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(rnd.nextInt());
            x[2] = Float.NaN;
            x[3] = bits(0x3F80_8000);
            x[x.length - 1] = bits(0x7F80_0001);
            short[] enc = new short[n + 5];
            BF16.encode(x, 2, enc, 4, n);
            float[] dec = new float[n + 1];
            BF16.decode(enc, 4, dec, 1, n);
            float[] rounded = x.clone();
            BF16.roundInPlace(rounded, 2, n);
            for (int i = 0; i < n; i++) {
                short want = BF16.fromFloat(x[2 + i]);
                assertThat(enc[4 + i]).isEqualTo(want);
                assertThat(Float.floatToRawIntBits(dec[1 + i])).isEqualTo((want & 0xFFFF) << 16);
                float r = rounded[2 + i];
                if (Float.isNaN(x[2 + i])) assertThat(r).isNaN();
                else assertThat(Float.floatToRawIntBits(r)).isEqualTo((want & 0xFFFF) << 16);
            }
            assertThat(rounded[0]).isEqualTo(x[0]);
            assertThat(rounded[1]).isEqualTo(x[1]);
        }
    }

    @Test
    void roundTripIsExactForBf16Values() {
        for (int b = 0; b < 0x10000; b++) {
            float f = BF16.toFloat((short) b);
            if (!Float.isNaN(f)) assertThat(BF16.fromFloat(f)).isEqualTo((short) b);
        }
    }
}
