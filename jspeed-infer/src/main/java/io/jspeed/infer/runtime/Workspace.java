package io.jspeed.infer.runtime;

import io.jspeed.infer.model.LmConfig;

/**
 * Activations of one forward over {@code rows} new tokens, grown when a call needs more rows and then reused, so
 * steady-state decode allocates nothing.
 */
final class Workspace {

    final int rows, outRows;
    final float[] x, h, q, k, v, att, proj, up, gate, act, stat, mean, cos, sin, logits, outHidden;
    final int[] rowSeq, rowPos;

    Workspace(LmConfig c, int rows, int outRows) {
        this.rows = rows;
        this.outRows = outRows;
        int d = c.dModel();
        x = new float[rows * d];
        h = new float[rows * d];
        q = new float[rows * c.qWidth()];
        k = new float[rows * c.kvWidth()];
        v = new float[rows * c.kvWidth()];
        att = new float[rows * c.qWidth()];
        proj = new float[rows * d];
        up = new float[rows * c.dFf()];
        gate = new float[rows * c.dFf()];
        act = new float[rows * c.dFf()];
        stat = new float[rows * Math.max(c.nHead(), 1)];
        mean = new float[rows];
        cos = new float[rows * c.headDim() / 2];
        sin = new float[rows * c.headDim() / 2];
        logits = new float[outRows * c.vocabSize()];
        outHidden = new float[outRows * d];
        rowSeq = new int[rows];
        rowPos = new int[rows];
    }
}
