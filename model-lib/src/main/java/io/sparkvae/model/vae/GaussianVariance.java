package io.sparkvae.model.vae;

/** The observation std of the Gaussian likelihood ({@code gaussianVariance}). */
public enum GaussianVariance {
  /** {@code learned}: a per-feature log-std trained with the other parameters. */
  LEARNED,
  /** {@code fixed}: the std {@code gaussianFixedStd} for every feature. */
  FIXED;

  /**
   * The configuration name ({@code learned}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
