/**
 * Memory, dtypes and the {@link io.jspeed.tensor.Parallel} executor that every kernel shares.
 * Depends on nothing but the JDK (jdk.incubator.vector). Kernels live in {@code io.jspeed.tensor.kernel}.
 */
package io.jspeed.tensor;
