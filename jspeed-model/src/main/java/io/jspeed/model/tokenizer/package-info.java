/**
 * Tokenizers: bytes, and GPT-2 style byte-level BPE (training, encoding, Hugging Face tokenizer.json I/O),
 * plus streaming decode.
 * Depends on the JDK and Jackson only; nothing here touches tensors.
 */
package io.jspeed.model.tokenizer;
