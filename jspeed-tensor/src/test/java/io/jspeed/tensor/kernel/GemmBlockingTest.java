package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.GemmKernel.MR;
import static io.jspeed.tensor.kernel.GemmKernel.NR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jspeed.tensor.HostCaches;
import io.jspeed.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmBlockingTest {

    /** The rule written out independently: panels fill L1, the A block half of L2, the B block half a core's L3 share. */
    private static void checkRule(HostCaches c, int cores) {
        GemmBlocking b = GemmBlocking.fromCaches(c, cores);
        assertThat(b.kc() % 16).isZero();
        assertThat((long) (MR + NR) * b.kc() * 4).as("A and B micro-panels fit L1").isLessThanOrEqualTo(c.l1d());
        assertThat((long) (MR + NR) * (b.kc() + 16) * 4).as("kc is the largest step that fits").isGreaterThan(c.l1d());
        assertThat((long) b.mc() * b.kc() * 4).as("A block in half of L2").isLessThanOrEqualTo(c.l2() / 2);
        assertThat((long) (b.mc() + MR) * b.kc() * 4).isGreaterThan(c.l2() / 2);
        assertThat((long) b.kc() * b.nc() * 4).as("B block in half a core's L3 share").isLessThanOrEqualTo(c.l3() / cores / 2);
        assertThat(b.mc() % MR).isZero();
        assertThat(b.nc() % NR).isZero();
    }

    @Test
    void derivedBlockingFollowsTheCacheRuleOnSeveralHosts() {
        checkRule(new HostCaches(48 << 10, 1 << 20, 32 << 20), 2);     // Zen 5 VM
        checkRule(new HostCaches(48 << 10, 2 << 20, 480L << 20), 2);   // Sapphire/Granite Rapids VM
        checkRule(new HostCaches(32 << 10, 512 << 10, 16 << 20), 8);   // an older desktop part
        // more L2 gives taller A blocks, the same L1 the same depth
        GemmBlocking small = GemmBlocking.fromCaches(new HostCaches(48 << 10, 1 << 20, 32 << 20), 2);
        GemmBlocking big = GemmBlocking.fromCaches(new HostCaches(48 << 10, 2 << 20, 32 << 20), 2);
        assertThat(big.kc()).isEqualTo(small.kc());
        assertThat(big.mc()).isGreaterThan(small.mc());
    }

    @Test
    void tinyOrHugeCachesAreClampedToWorkableBlocks() {
        GemmBlocking tiny = GemmBlocking.fromCaches(new HostCaches(1024, 4096, 8192), 64);
        assertThat(tiny.kc()).isEqualTo(64);
        assertThat(tiny.mc()).isEqualTo(MR);
        assertThat(tiny.nc()).isEqualTo(NR);
        GemmBlocking huge = GemmBlocking.fromCaches(new HostCaches(1L << 30, 1L << 34, 1L << 38), 1);
        assertThat(huge.kc()).isEqualTo(2048);
        assertThat(huge.mc()).isLessThanOrEqualTo(4096);
        assertThat(huge.nc()).isLessThanOrEqualTo(16384);
    }

    @Test
    void blockingsThatAreNotTileMultiplesAreRejected() {
        assertThatThrownBy(() -> new GemmBlocking(256, MR + 1, NR)).hasMessageContaining("mc a multiple of " + MR);
        assertThatThrownBy(() -> new GemmBlocking(0, MR, NR)).hasMessageContaining("kc >= 1");
    }

    @Test
    void everyBlockingComputesTheSameProductAndIsDeterministic() {
        // small blocks force many depth slices and A/B blocks, including ragged last ones
        Random rnd = new Random(3);
        int m = 70, n = 150, k = 333;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
        GemmBlocking[] blockings = {GemmBlocking.TUNED, new GemmBlocking(64, MR, NR), new GemmBlocking(100, 2 * MR, 3 * NR)};
        try (Parallel two = new Parallel(2)) {
            for (GemmBlocking bl : blockings) {
                float[] c = new float[m * n], again = new float[m * n];
                Gemm.matmul(two, bl, false, false, m, n, k, a, 0, k, b, 0, n, 0f, c, 0, n);
                Gemm.matmul(two, bl, false, false, m, n, k, a, 0, k, b, 0, n, 0f, again, 0, n);
                assertThat(again).as("same blocking, same threads: bit-identical").isEqualTo(c);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                        if (Math.abs(c[i * n + j] - s) > 1e-4) {
                            assertThat((double) c[i * n + j]).as("%s C(%d,%d)", bl, i, j).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4));
                        }
                    }
                }
            }
        }
    }
}
