package io.jspeed.infer.runtime;

import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.tensor.Parallel;

/** Test-only fp32 matrix over a heap array with naive loops: the reference the runtime is checked with. */
record ArrayMatrix(int rows, int cols, float[] data) implements WeightMatrix {

    @Override
    public String format() {
        return "F32";
    }

    @Override
    public long bytes() {
        return 4L * data.length;
    }

    @Override
    public void matvec(Parallel pool, float[] x, int xOff, float[] out, int outOff) {
        matmul(pool, x, xOff, 1, out, outOff);
    }

    @Override
    public void matvecRows(float[] x, int xOff, float[] out, int outOff, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += (double) data[r * cols + c] * x[xOff + c];
            out[outOff + r] = (float) s;
        }
    }

    @Override
    public void matmul(Parallel pool, float[] x, int xOff, int batch, float[] out, int outOff) {
        for (int b = 0; b < batch; b++)
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) s += (double) data[r * cols + c] * x[xOff + b * cols + c];
                out[outOff + b * rows + r] = (float) s;
            }
    }

    @Override
    public void row(int r, float[] dst, int off) {
        System.arraycopy(data, r * cols, dst, off, cols);
    }
}
