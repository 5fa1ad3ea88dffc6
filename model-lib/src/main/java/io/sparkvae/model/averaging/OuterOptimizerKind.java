package io.sparkvae.model.averaging;

/** The driver-side step on the averaged update ({@code outerOptimizer}). */
public enum OuterOptimizerKind {
  /** {@code none}: plain parameter averaging, the average is the next state. */
  NONE,
  /** {@code nesterov}: Nesterov block momentum on the averaged update (BMUF, DiLoCo). */
  NESTEROV;

  /** A fresh outer step of this kind (its state starts empty). */
  public OuterStep create(double learningRate, double momentum) {
    return this == NESTEROV ? new OuterOptimizer(learningRate, momentum) : OuterStep.AVERAGE;
  }

  /**
   * The configuration name ({@code none}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
