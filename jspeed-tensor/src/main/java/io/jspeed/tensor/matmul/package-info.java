/**
 * The matmul seam: {@link io.jspeed.tensor.matmul.MatmulEngine} and its implementations (the Java fp32 GEMM, bf16
 * through the Java kernel or oneDNN, fp32 through oneDNN), and {@link io.jspeed.tensor.matmul.HostMatmul}, which picks
 * one per precision on this host by measurement and caches the choice. Depends on the kernels and the oneDNN binding.
 */
package io.jspeed.tensor.matmul;
