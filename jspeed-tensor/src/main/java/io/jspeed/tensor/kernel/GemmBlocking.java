package io.jspeed.tensor.kernel;

import static io.jspeed.tensor.kernel.GemmKernel.MR;
import static io.jspeed.tensor.kernel.GemmKernel.NR;

import io.jspeed.tensor.HostCaches;

/**
 * The cache blocking of {@link Gemm}: depth slices of {@code kc}, A blocks of {@code mc} rows, B blocks of
 * {@code nc} columns. Only {@code kc} changes results (it decides where the depth sum is cut into partial sums);
 * {@code mc} and {@code nc} change speed only.
 */
public record GemmBlocking(int kc, int mc, int nc) {

    /** Measured best on the Zen 5 host (L1d 48 KiB, L2 1 MiB, L3 32 MiB) for the GPT-2 124M training shapes. */
    public static final GemmBlocking TUNED = new GemmBlocking(768, 12 * MR, 96 * NR);

    private static final int KC_STEP = 16;
    private static final int KC_MIN = 64, KC_MAX = 2048;
    private static final int MC_MAX = 4096, NC_MAX = 16384;

    public GemmBlocking {
        if (kc < 1 || mc < MR || nc < NR || mc % MR != 0 || nc % NR != 0) {
            throw new IllegalArgumentException("GEMM blocking needs kc >= 1, mc a multiple of " + MR + ", nc a multiple of "
                    + NR + "; got kc=" + kc + " mc=" + mc + " nc=" + nc);
        }
    }

    /**
     * The analytical (BLIS-style) blocking for these caches: a kc-deep A micro-panel (MR rows) and B micro-panel
     * (NR columns) together fill L1, so the B panel the kernel reuses across a whole A block stays there; the
     * mc x kc A block takes half of L2; the kc x nc B block takes half of one core's share of L3 (each thread
     * packs its own). A starting point for measurement, not a verdict: the register tile's modest load rate can
     * make deeper slices pay (see {@link #TUNED}).
     */
    public static GemmBlocking fromCaches(HostCaches caches, int cores) {
        if (cores < 1) throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        long kc = caches.l1d() / ((long) (MR + NR) * Float.BYTES) / KC_STEP * KC_STEP;
        kc = Math.clamp(kc, KC_MIN, KC_MAX);
        long mc = caches.l2() / 2 / (kc * Float.BYTES) / MR * MR;
        mc = Math.clamp(mc, MR, MC_MAX / MR * MR);
        long nc = caches.l3() / cores / 2 / (kc * Float.BYTES) / NR * NR;
        nc = Math.clamp(nc, NR, NC_MAX / NR * NR);
        return new GemmBlocking((int) kc, (int) mc, (int) nc);
    }

    /** The same blocking with a different depth slice (mc and nc kept), for autotune candidates. */
    public GemmBlocking withKc(int newKc) {
        return new GemmBlocking(newKc, mc, nc);
    }

    /** The register tile these blockings are multiples of, for display: "12x32". */
    public static String registerTile() {
        return MR + "x" + NR;
    }

    @Override
    public String toString() {
        return "kc=" + kc + " mc=" + mc + " nc=" + nc;
    }
}
