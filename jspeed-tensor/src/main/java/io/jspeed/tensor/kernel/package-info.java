/**
 * Compute kernels over flat float arrays with explicit offsets and shapes: GEMM and the layer kernels of transformer
 * training (norms, activations, RoPE, attention, cross-entropy, embeddings, AdamW), each a forward/backward pair.
 * Depends only on {@link io.jspeed.tensor.Parallel} and the JDK (jdk.incubator.vector).
 */
package io.jspeed.tensor.kernel;
