/**
 * ZeRO data parallelism composed from small parts: {@link io.jspeed.train.zero.ShardLayout} (who owns which
 * elements of a block), parameter and gradient storage that is either replicated or partitioned, a sharded AdamW
 * that updates only what this rank owns, and {@link io.jspeed.train.zero.ZeroEngine} that wires them for a stage.
 * Collectives go through the {@link io.jspeed.comm.ProcessGroup} passed in; the order of collectives follows the
 * model's block list, so it is the same on every rank.
 */
package io.jspeed.train.zero;
