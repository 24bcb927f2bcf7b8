package io.jspeed.infer.runtime;

import io.jspeed.infer.model.RopeLayout;

/**
 * RoPE at absolute positions: each row of a batch carries its own position, so sequences at different lengths share
 * one call. The cos/sin of a row are computed once per forward and reused by every layer and head.
 */
final class Rotary {

    private final double[] inverseFrequencies;
    private final RopeLayout layout;
    private final int half;

    Rotary(double[] inverseFrequencies, RopeLayout layout) {
        this.inverseFrequencies = inverseFrequencies;
        this.layout = layout;
        this.half = inverseFrequencies.length;
    }

    /** cos/sin [rows, half] for the rows' positions. */
    void angles(int[] positions, int rows, float[] cos, float[] sin) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < half; i++) {
                double a = positions[r] * inverseFrequencies[i];
                cos[r * half + i] = (float) Math.cos(a);
                sin[r * half + i] = (float) Math.sin(a);
            }
        }
    }

    /** Rotates {@code heads} heads of width 2·half starting at x[off] by the angles of row {@code row}. */
    void rotate(float[] x, int off, int heads, int row, float[] cos, float[] sin) {
        int t = row * half, d = 2 * half;
        if (layout == RopeLayout.ROTATE_HALF) {
            for (int h = 0; h < heads; h++) {
                int a = off + h * d, b = a + half;
                for (int i = 0; i < half; i++) {
                    float x1 = x[a + i], x2 = x[b + i], c = cos[t + i], s = sin[t + i];
                    x[a + i] = x1 * c - x2 * s;
                    x[b + i] = x2 * c + x1 * s;
                }
            }
        } else {
            for (int h = 0; h < heads; h++) {
                int a = off + h * d;
                for (int i = 0; i < half; i++) {
                    float x1 = x[a + 2 * i], x2 = x[a + 2 * i + 1], c = cos[t + i], s = sin[t + i];
                    x[a + 2 * i] = x1 * c - x2 * s;
                    x[a + 2 * i + 1] = x2 * c + x1 * s;
                }
            }
        }
    }
}
