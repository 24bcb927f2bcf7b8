/**
 * Converting models ({@code jspeed convert}): whatever io.jspeed.infer.model loads (jspeed run, Hugging Face folder,
 * GGUF) written as a GGUF file llama.cpp loads or as a Hugging Face folder, the vocabulary carried by
 * io.jspeed.infer.vocab. Also writes the config.json / tokenizer files of quantized folders.
 */
package io.jspeed.infer.convert;
