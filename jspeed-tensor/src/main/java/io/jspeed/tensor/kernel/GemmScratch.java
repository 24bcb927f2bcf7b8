package io.jspeed.tensor.kernel;

/** One thread's packing buffers for {@link Gemm}; they only grow, so a training step reuses them. */
final class GemmScratch {

    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] partial = new float[0];
    private final float[] tile = new float[GemmKernel.MR * GemmKernel.NR];

    float[] a(int size) {
        if (a.length < size) a = new float[size];
        return a;
    }

    /** Landing buffer for one register tile before it is merged into C. */
    float[] tile() {
        return tile;
    }

    float[] b(int size) {
        if (b.length < size) b = new float[size];
        return b;
    }

    /** Per-thread partial products of a depth-split call, owned by the calling thread. */
    float[] partial(int size) {
        if (partial.length < size) partial = new float[size];
        return partial;
    }
}
