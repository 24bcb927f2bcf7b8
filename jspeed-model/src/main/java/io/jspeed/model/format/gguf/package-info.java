/**
 * GGUF (llama.cpp's model file, version 2/3): a memory-mapped, validated reader ({@link io.jspeed.model.format.gguf.GgufFile}),
 * an atomic writer ({@link io.jspeed.model.format.gguf.GgufWriter}), typed metadata, and ggml's block formats as
 * reference scalar code ({@link io.jspeed.model.format.gguf.GgmlQuant}). Depends on io.jspeed.model.format only.
 */
package io.jspeed.model.format.gguf;
