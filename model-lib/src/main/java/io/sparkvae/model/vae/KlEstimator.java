package io.sparkvae.model.vae;

/** How the ELBO estimates KL(q(z|x) || p(z)) ({@code klEstimator}). */
public enum KlEstimator {
  /**
   * {@code mc}: Monte Carlo, log q(z|x) − log p(z) at the sampled z, as Pyro's {@code Trace_ELBO}.
   */
  MC,
  /**
   * {@code analytic}: the closed form for two diagonal Gaussians, as Pyro's {@code
   * TraceMeanField_ELBO}; not defined for the importance-weighted bound.
   */
  ANALYTIC;

  /**
   * The configuration name ({@code mc}), so that messages and logs show the value as it is written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
