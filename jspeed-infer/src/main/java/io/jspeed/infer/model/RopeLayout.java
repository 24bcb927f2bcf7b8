package io.jspeed.infer.model;

/**
 * Which two elements of a head RoPE rotates together. Hugging Face checkpoints pair i with i + headDim/2
 * ("rotate half", llama.cpp's NEOX mode); llama.cpp's converter permutes Llama q/k rows back to Meta's original
 * layout, where 2i pairs with 2i+1. q·k is the same either way: the permutation is applied to both.
 */
public enum RopeLayout { ROTATE_HALF, INTERLEAVED }
