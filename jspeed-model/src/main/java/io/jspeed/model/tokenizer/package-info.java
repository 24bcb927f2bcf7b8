/**
 * Tokenizers: bytes, and GPT-2 style byte-level BPE (training, encoding, Hugging Face tokenizer.json I/O),
 * plus streaming decode. {@link io.jspeed.model.tokenizer.HfTokenizer} reads the tokenizer.json of real models
 * (Llama 2/3, Qwen, Gemma): added tokens, normalizers, pre-tokenizers, BPE with byte fallback, post-processor and
 * decoders, each a small component read by the type name the file gives.
 * Depends on the JDK and Jackson only; nothing here touches tensors.
 */
package io.jspeed.model.tokenizer;
