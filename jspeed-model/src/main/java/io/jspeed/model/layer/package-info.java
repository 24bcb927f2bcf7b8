/**
 * The parts a transformer block is made of (Norm, Projection over either weight layout, Mlp, Positions) and the one
 * DecoderBlock every family composes from them. Depends on io.jspeed.tensor, io.jspeed.model.param and the model's
 * Family and ModelSpec records.
 */
package io.jspeed.model.layer;
