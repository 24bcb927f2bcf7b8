/**
 * Optimizers over flat parameter blocks (AdamW) and gradient clipping.
 * Depends on io.jspeed.model.param and io.jspeed.tensor kernels.
 */
package io.jspeed.train.optim;
