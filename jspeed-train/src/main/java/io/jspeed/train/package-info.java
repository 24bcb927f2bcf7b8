/**
 * Training: the loop ({@link io.jspeed.train.Trainer}) and how a run is assembled ({@link io.jspeed.train.TrainingRun}).
 * Sub-packages: config, data, optim, precision, checkpoint, monitor. Depends on io.jspeed.model and io.jspeed.tensor.
 */
package io.jspeed.train;
