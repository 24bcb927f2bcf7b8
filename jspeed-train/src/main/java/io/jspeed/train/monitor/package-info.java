/**
 * Training monitors: JSONL metrics beside human output, and the loss-curve PNG (XChart).
 * Depends on io.jspeed.model.format (atomic writes), Jackson and XChart.
 */
package io.jspeed.train.monitor;
