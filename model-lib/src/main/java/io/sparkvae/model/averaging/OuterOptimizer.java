package io.sparkvae.model.averaging;

import io.sparkvae.model.train.TrainingState;
import java.io.Serializable;

/**
 * An optimizer applied by the driver to the averaged update of a round, {@code delta = average -
 * previous}, as in block-momentum BMUF (Chen &amp; Huo 2016) and DiLoCo (Douillard et al. 2023):
 * Nesterov momentum {@code u = mu u + delta}, {@code next = previous + lr (delta + mu u)}. With
 * {@code lr = 1} and {@code mu = 0} it is plain averaging. State: the momentum buffer.
 */
public final class OuterOptimizer implements OuterStep, Serializable {
  private static final long serialVersionUID = 1L;

  private final double learningRate;
  private final double momentum;
  private float[] velocity;

  /**
   * @param learningRate the outer step size (1: take the averaged update as is)
   * @param momentum the block momentum in [0, 1)
   */
  public OuterOptimizer(double learningRate, double momentum) {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("outerLearningRate must be > 0, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("outerMomentum must be in [0, 1), got " + momentum);
    }
    this.learningRate = learningRate;
    this.momentum = momentum;
  }

  /** The next global parameters from the previous ones and the replicas' average. */
  @Override
  public float[] step(float[] previous, float[] averaged) {
    if (previous.length != averaged.length) {
      throw new IllegalArgumentException(
          "previous has " + previous.length + " parameters, averaged " + averaged.length);
    }
    if (velocity == null) {
      velocity = new float[previous.length];
    }
    float[] next = new float[previous.length];
    for (int i = 0; i < next.length; i++) {
      double delta = (double) averaged[i] - previous[i];
      double u = momentum * velocity[i] + delta;
      velocity[i] = (float) u;
      next[i] = (float) (previous[i] + learningRate * (delta + momentum * u));
    }
    return next;
  }

  /** The momentum buffer (null before the first step), for checkpoints. */
  @Override
  public float[] state() {
    return velocity == null ? null : velocity.clone();
  }

  /**
   * The first NaN or infinite value of the momentum buffer, as {@code "velocity[i] = v"}, or null.
   */
  @Override
  public String firstNonFinite() {
    return velocity == null ? null : TrainingState.firstNonFinite("velocity", velocity);
  }

  @Override
  public String toString() {
    return "Nesterov outer step (learning rate " + learningRate + ", momentum " + momentum + ")";
  }

  /** Restores the momentum buffer from a checkpoint. */
  @Override
  public void restore(float[] v) {
    this.velocity = v == null ? null : v.clone();
  }
}
