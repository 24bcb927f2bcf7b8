/**
 * Inference: sampling and generation (later: KV cache, batching, server).
 * Depends on io.jspeed.model.
 */
package io.jspeed.infer;
