/**
 * Model quantization ({@code jspeed quantize}): reads a GGUF file, a safetensors file or a Hugging Face folder and
 * writes Q8_0/Q4_0 GGUF or grouped int8/int4 safetensors, streaming one row at a time. Uses io.jspeed.infer.weights
 * for the grouped codec and io.jspeed.model.format(.gguf) for the files.
 */
package io.jspeed.infer.quantize;
