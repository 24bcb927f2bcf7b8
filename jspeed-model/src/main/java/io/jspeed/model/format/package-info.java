/**
 * File formats on disk: safetensors read (memory-mapped) and write, and crash-safe atomic file replacement.
 * Depends on io.jspeed.tensor (DType), the JDK and Jackson (for headers); nothing else in jspeed-model.
 */
package io.jspeed.model.format;
