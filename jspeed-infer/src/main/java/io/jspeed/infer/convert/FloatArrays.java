package io.jspeed.infer.convert;

/** Small float-vector rearrangements the exporters share (q/k bias reordering, GPT-2's fused q|k|v bias). */
final class FloatArrays {

    private FloatArrays() {}

    /** out[i] = v[order[i]]. */
    static float[] reorder(float[] v, int[] order) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[order[i]];
        return out;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
