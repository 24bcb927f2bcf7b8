/**
 * Layers built from tensor kernels (Linear over either weight layout) and the transformer blocks of each model family.
 * Depends on io.jspeed.tensor and io.jspeed.model.param.
 */
package io.jspeed.model.layer;
