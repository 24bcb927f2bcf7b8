/**
 * What a model is, whatever file it came in: {@link io.jspeed.infer.model.LmConfig} and its
 * {@link io.jspeed.model.Family} choices, the weights ({@link io.jspeed.infer.model.LmWeights}), and the loader
 * for GGUF files, Hugging Face folders and jspeed runs. Depends on io.jspeed.model (formats, tokenizers) and the
 * weight formats in io.jspeed.infer.weights; never on jspeed-train.
 */
package io.jspeed.infer.model;
