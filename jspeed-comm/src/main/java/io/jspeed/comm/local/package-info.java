/**
 * The in-process backend: ranks are threads of one JVM that share memory. {@link io.jspeed.comm.local.LocalCluster}
 * makes the ranks; collectives meet at a rendezvous where each rank publishes references to its arrays and then
 * computes its own share reading the peers' arrays directly (no copies through a transport).
 * Depends only on io.jspeed.comm and the JDK.
 */
package io.jspeed.comm.local;
