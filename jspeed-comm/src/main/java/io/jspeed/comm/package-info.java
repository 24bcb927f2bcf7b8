/**
 * Process groups and collectives: {@link io.jspeed.comm.ProcessGroup} with an in-process backend (ranks as threads,
 * {@code io.jspeed.comm.local}) and an Open MPI backend (FFM), sub-groups and the {@link io.jspeed.comm.DeviceMesh},
 * {@link io.jspeed.comm.CommStream} to overlap collectives with compute, and the comms log.
 * Depends only on jspeed-tensor. A group is always passed as an argument; nothing here is global.
 */
package io.jspeed.comm;
