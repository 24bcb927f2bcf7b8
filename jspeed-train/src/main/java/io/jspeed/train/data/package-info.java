/**
 * Training data: reading corpora (JDK sources, files, folders, zips, JSONL), tokenized splits, deterministic batches.
 * Depends on io.jspeed.model (tokenizers) and io.jspeed.tensor.
 */
package io.jspeed.train.data;
