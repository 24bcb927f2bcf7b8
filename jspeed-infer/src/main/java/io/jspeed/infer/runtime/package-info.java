/**
 * The inference forward pass: per-sequence KV caches (fp32, bf16, int8), RoPE at absolute positions, and one
 * batched call that advances many sequences at different positions (decode = matvec on the Parallel pool,
 * prefill = matmul). Depends on io.jspeed.infer.model and io.jspeed.tensor kernels.
 */
package io.jspeed.infer.runtime;
