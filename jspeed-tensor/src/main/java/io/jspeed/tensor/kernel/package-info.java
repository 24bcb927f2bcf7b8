/**
 * Compute kernels over plain float arrays: GEMM and the other hot loops of training, vectorized with jdk.incubator.vector.
 * Depends only on the JDK and {@link io.jspeed.tensor.Parallel}; knows nothing of tensors, models or training.
 */
package io.jspeed.tensor.kernel;
