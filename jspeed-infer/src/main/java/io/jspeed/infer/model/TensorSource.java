package io.jspeed.infer.model;

import io.jspeed.infer.weights.WeightMatrix;

import java.io.IOException;

/**
 * Named tensors of one checkpoint, whatever its file format: small ones (norms, biases, position tables) read as
 * floats, matrices handed out as {@link WeightMatrix} over the stored bytes without copying.
 */
public interface TensorSource {

    /** Where the tensors come from, for error messages. */
    String description();

    boolean contains(String name);

    /** Dimensions outermost first, as PyTorch prints them ([out, in] for a Linear weight). */
    long[] shape(String name);

    float[] floats(String name) throws IOException;

    /** A matrix stored [rows = shape[0], cols = shape[1]] (row r = output r). */
    WeightMatrix matrix(String name) throws IOException;

    /** An fp32 matrix over data [rows, cols] the loader had to build (a transposed or split tensor). */
    WeightMatrix f32(int rows, int cols, float[] data);
}
