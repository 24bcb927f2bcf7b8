package io.jspeed.infer.model;

/** A norm's scale and, for LayerNorm, its bias (null for RMSNorm). */
public record NormWeights(float[] weight, float[] bias) {}
