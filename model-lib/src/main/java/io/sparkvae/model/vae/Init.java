package io.sparkvae.model.vae;

import java.util.SplittableRandom;

/**
 * How one parameter tensor starts, declared by the block that owns the tensor together with its
 * name and shape (never inferred from the name or the shape). {@link ParamInit} applies the rules
 * in layout order from one seeded generator, so the draws of a tensor depend on the tensors before
 * it: a rule must draw exactly the values it documents.
 */
public sealed interface Init {
  /**
   * Fills {@code flat[offset .. offset + size)}, drawing from {@code rng} if the rule is random.
   */
  void fill(float[] flat, int offset, int size, SplittableRandom rng);

  /**
   * PyTorch's default for {@code nn.Linear} weights and biases: uniform in {@code [-1/sqrt(fanIn),
   * 1/sqrt(fanIn))}, one draw per value in order.
   */
  static Init uniformFanIn(int fanIn) {
    return new UniformFanIn(fanIn);
  }

  /** Zero, without drawing (a learned observation log-std starts at unit variance). */
  static Init zeros() {
    return Zeros.INSTANCE;
  }

  /** See {@link #uniformFanIn}. */
  record UniformFanIn(int fanIn) implements Init {
    /** Checks that the fan-in is positive. */
    public UniformFanIn {
      if (fanIn < 1) {
        throw new IllegalArgumentException(
            "a uniform fan-in initialisation needs fanIn >= 1, got " + fanIn);
      }
    }

    @Override
    public void fill(float[] flat, int offset, int size, SplittableRandom rng) {
      double bound = 1.0 / Math.sqrt(fanIn);
      for (int i = 0; i < size; i++) {
        flat[offset + i] = (float) rng.nextDouble(-bound, bound);
      }
    }
  }

  /** See {@link #zeros}. */
  enum Zeros implements Init {
    /** The one instance. */
    INSTANCE;

    @Override
    public void fill(float[] flat, int offset, int size, SplittableRandom rng) {
      // new float[] is already zero; nothing is drawn, so later tensors' draws do not shift.
    }
  }
}
