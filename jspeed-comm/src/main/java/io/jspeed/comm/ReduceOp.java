package io.jspeed.comm;

/** How a reduction combines the ranks' values. AVG is SUM divided by the group size. */
public enum ReduceOp { SUM, AVG, MAX }
