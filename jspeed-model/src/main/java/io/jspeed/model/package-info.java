/**
 * Decoder-only language models composed of parameter blocks and layers; a {@link io.jspeed.model.Family} (GPT-2,
 * Llama, ...) names the choices that tell them apart, for training here and for inference in jspeed-infer. Formats and
 * tokenizers live in sub-packages. Depends on io.jspeed.tensor and Jackson (formats).
 */
package io.jspeed.model;
