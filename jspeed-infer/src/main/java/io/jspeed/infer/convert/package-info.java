/** Converting models between jspeed checkpoints and the file formats other tools read (GGUF for llama.cpp). */
package io.jspeed.infer.convert;
