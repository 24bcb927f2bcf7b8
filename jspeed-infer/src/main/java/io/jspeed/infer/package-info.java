/**
 * Inference: generation over a KV cache ({@link io.jspeed.infer.Generator}), sampling, stop strings, perplexity.
 * Subpackages: model (configs, loading), runtime (forward, KV cache), gguf, weights (storage formats), vocab
 * (vocabularies between GGUF and tokenizer.json), convert (jspeed convert), quantize, chat.
 * Depends on io.jspeed.model and io.jspeed.tensor.
 */
package io.jspeed.infer;
