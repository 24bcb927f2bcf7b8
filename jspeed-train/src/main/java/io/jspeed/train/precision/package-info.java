/**
 * Precision policies (fp32; bf16 working weights over fp32 masters).
 * Depends on io.jspeed.tensor (BF16) and io.jspeed.train.optim.
 */
package io.jspeed.train.precision;
