package io.jspeed.train.checkpoint;

/**
 * What a checkpoint records besides tensors: the completed step count, the optimizer's update count, a
 * checksum of the token streams (resume refuses different data) and the training config as JSON.
 */
public record TrainerState(int step, int optimizerSteps, long dataChecksum, int vocabSize, String configJson) {}
