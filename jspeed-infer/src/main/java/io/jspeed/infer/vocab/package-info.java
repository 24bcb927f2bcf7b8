/**
 * A model's vocabulary (tokens, types, scores or merges, special ids, chat template) as GGUF metadata and as Hugging
 * Face tokenizer files, in both directions: what lets a converted model tokenize as its source did. Used by the GGUF
 * loader (its byte-level tokenizers) and by io.jspeed.infer.convert.
 */
package io.jspeed.infer.vocab;
