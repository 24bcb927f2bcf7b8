package io.jspeed.infer.model;

import io.jspeed.infer.weights.WeightMatrix;
import io.jspeed.model.Family;

/**
 * One transformer block's weights, every matrix [out, in]. Entries a family does not have are null: biases
 * without {@link Family#qkvBias}/{@link Family#outputBiases}, qNorm/kNorm without {@link Family#qkNorm}, gate with
 * the GELU MLP.
 */
public record LayerWeights(NormWeights attnNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v,
                           float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
                           WeightMatrix o, float[] oBias, NormWeights mlpNorm,
                           WeightMatrix gate, WeightMatrix up, float[] upBias, WeightMatrix down, float[] downBias) {

    /** Bytes one token's pass over this block streams from the weights. */
    public long bytes() {
        long b = q.bytes() + k.bytes() + v.bytes() + o.bytes() + up.bytes() + down.bytes();
        return gate == null ? b : b + gate.bytes();
    }
}
