/**
 * Atomic, topology-free checkpoints (safetensors by parameter name + trainer.json).
 * Depends on io.jspeed.model (formats, params) and io.jspeed.train.optim.
 */
package io.jspeed.train.checkpoint;
