/**
 * Benchmark drivers (plain timing loops returning records) and JMH benchmarks for jspeed's kernels and training.
 * May depend on every jspeed module; nothing depends on it except jspeed-cli.
 */
package io.jspeed.bench;
