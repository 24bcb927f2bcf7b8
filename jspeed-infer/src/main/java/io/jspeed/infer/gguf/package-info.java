/**
 * GGUF as a model source: config from {@code general.architecture} metadata, tensors under Hugging Face names, and
 * the tokenizer stored in {@code tokenizer.ggml.*} (SentencePiece BPE or byte-level BPE). Reads through
 * io.jspeed.model.format.gguf.
 */
package io.jspeed.infer.gguf;
