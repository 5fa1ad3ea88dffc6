package io.sparkvae.spark.train;

/** How replicas share the work ({@code scaleOut}). */
public enum ScaleOut {
  /**
   * {@code auto}: the global minibatch stays batchSize (per-replica minibatch, learning rate
   * derived).
   */
  AUTO,
  /** {@code off}: every replica trains with batchSize and learningRate as given. */
  OFF;

  /**
   * The configuration name ({@code auto}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
