/**
 * Decoder-only language models (GPT-2, Llama) composed of parameter blocks and layers; formats and tokenizers
 * live in sub-packages. Depends on io.jspeed.tensor and Jackson (formats).
 */
package io.jspeed.model;
