package io.jspeed.infer.model;

/**
 * How RoPE frequencies are stretched for long contexts: none, linear (positions / factor) or Llama 3.1's
 * piecewise scheme (long wavelengths divided by factor, short ones kept, a smooth blend between).
 */
public record RopeScaling(Kind kind, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {

    public enum Kind { NONE, LINEAR, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Kind.NONE, 1, 0, 0, 0);

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Kind.LINEAR, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double low, double high, int originalContext) {
        return new RopeScaling(Kind.LLAMA3, factor, low, high, originalContext);
    }

    /** theta^(-2i/dims) for i in [0, dims/2), scaled. */
    public double[] inverseFrequencies(double theta, int dims) {
        double[] out = new double[dims / 2];
        for (int i = 0; i < out.length; i++) out[i] = scale(Math.pow(theta, -2.0 * i / dims));
        return out;
    }

    private double scale(double freq) {
        return switch (kind) {
            case NONE -> freq;
            case LINEAR -> freq / factor;
            case LLAMA3 -> {
                double wavelen = 2 * Math.PI / freq;
                double lowWavelen = originalContext / lowFreqFactor, highWavelen = originalContext / highFreqFactor;
                if (wavelen < highWavelen) yield freq;
                if (wavelen > lowWavelen) yield freq / factor;
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                yield (1 - smooth) * freq / factor + smooth * freq;
            }
        };
    }
}
