/**
 * Weight storage formats: one {@link io.jspeed.infer.weights.WeightMatrix} per format (F32, F16, BF16, ggml Q8_0,
 * Q4_0, Q4_K, Q6_K, grouped int8/int4), each reading its bytes in place from a memory-mapped file with its own
 * vectorized dot product; {@link io.jspeed.infer.weights.WeightFormats} picks one at load. Layouts: docs/formats.md.
 * Depends on io.jspeed.tensor (Parallel) and io.jspeed.model.format(.gguf).
 */
package io.jspeed.infer.weights;
