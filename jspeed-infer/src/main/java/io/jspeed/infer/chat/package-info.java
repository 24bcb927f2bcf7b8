/**
 * Chat templates: the Jinja template a model's tokenizer_config.json (or GGUF metadata) carries, rendered with
 * Jinjava into the prompt text the model was trained on.
 */
package io.jspeed.infer.chat;
