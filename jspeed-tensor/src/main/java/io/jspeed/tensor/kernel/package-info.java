/**
 * Layer kernels of transformer training (norms, activations, RoPE, attention, cross-entropy, embeddings, AdamW),
 * each a pair of static forward/backward functions over flat float arrays with explicit offsets and shapes.
 * Depends only on {@link io.jspeed.tensor.Parallel} and the JDK (jdk.incubator.vector).
 */
package io.jspeed.tensor.kernel;
