package io.sparkvae.model.train;

import java.nio.FloatBuffer;

/**
 * A stream of minibatches packed row-major into a caller-owned buffer, so that the training loop
 * allocates nothing per step.
 */
@FunctionalInterface
public interface BatchSource {
  /**
   * Writes the next minibatch into {@code dst}, starting at index 0, row after row.
   *
   * @param dst a buffer with room for {@code batchSize * inputDim} floats
   * @return the number of rows written, between 1 and {@code batchSize}
   */
  int nextBatch(FloatBuffer dst);
}
