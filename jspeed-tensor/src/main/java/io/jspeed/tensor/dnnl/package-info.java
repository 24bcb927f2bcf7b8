/**
 * FFM binding to the oneDNN v2 C API (libdnnl.so.2): a CPU engine and stream and cached matmul primitives over
 * caller-owned off-heap memory. Optional at run time; depends only on the JDK.
 */
package io.jspeed.tensor.dnnl;
