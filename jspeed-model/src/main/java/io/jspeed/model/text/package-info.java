/**
 * Small text utilities shared by formats and config validation (edit distance for "did you mean" messages).
 * Depends only on the JDK.
 */
package io.jspeed.model.text;
