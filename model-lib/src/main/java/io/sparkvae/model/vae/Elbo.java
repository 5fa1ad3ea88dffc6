package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The negative evidence lower bound of a VAE (Kingma &amp; Welling 2013), per example.
 *
 * <p>With {@code k = elboSamples} standard-normal noise draws {@code eps [k, B, L]} and {@code z =
 * loc + scale * eps}:
 *
 * <ul>
 *   <li>{@code k = 1}, {@code klEstimator = mc}: {@code -log p(x|z) + w * (log q(z|x) - log p(z))},
 *       Pyro's {@code Trace_ELBO};
 *   <li>{@code k = 1}, {@code analytic}: {@code -log p(x|z) + w * KL(q(z|x) || p(z))}, Pyro's
 *       {@code TraceMeanField_ELBO};
 *   <li>{@code k > 1}: the importance-weighted bound of Burda, Grosse &amp; Salakhutdinov (2015),
 *       {@code -log (1/k) sum_i exp(log p(x|z_i) - w * (log q(z_i|x) - log p(z_i)))}.
 * </ul>
 *
 * where {@code w} is the KL weight (beta, times the warm-up factor). Units: nats per example.
 */
public final class Elbo {
  private final VaeNetwork network;
  private final boolean analytic;

  /** The ELBO of a network. */
  public Elbo(VaeNetwork network) {
    this.network = network;
    this.analytic = network.config().klEstimator() == KlEstimator.ANALYTIC;
  }

  /** The network. */
  public VaeNetwork network() {
    return network;
  }

  /**
   * Per-example loss (the negative bound) of a minibatch.
   *
   * @param params parameters in layout order
   * @param x inputs {@code [B, inputDim]}
   * @param eps standard-normal noise {@code [k, B, latentDim]}
   * @param klWeight weight of the KL term
   * @return {@code [B]} losses; this and every temporary is attached to the manager of {@code x}
   *     and {@code eps} (one per minibatch, which the caller closes)
   */
  public NDArray perExampleLoss(NDList params, NDArray x, NDArray eps, double klWeight) {
    Posterior q = network.encode(params, x);
    try (NDArray loc = q.loc();
        NDArray logScale = q.logScale();
        NDArray scale = logScale.exp();
        NDArray noise = eps.mul(scale);
        NDArray z = noise.add(loc);
        NDArray decoded = network.decode(params, z);
        NDArray logPx = network.logLikelihood(params, x, decoded)) {
      if (analytic) {
        // k == 1 here: VaeConfig rejects the analytic KL with k > 1.
        try (NDArray kl = Likelihoods.analyticKl(loc, logScale);
            NDArray weighted = Likelihoods.mulConst(kl, klWeight);
            NDArray recon = logPx.squeeze(0)) {
          return weighted.sub(recon);
        }
      }
      try (NDArray klSample = Likelihoods.logQMinusLogP(z, eps, logScale);
          NDArray weighted = Likelihoods.mulConst(klSample, klWeight);
          NDArray logW = logPx.sub(weighted)) {
        long k = eps.getShape().get(0);
        if (k == 1) {
          try (NDArray neg = logW.neg()) {
            return neg.squeeze(0);
          }
        }
        return negLogMeanExp(logW, k);
      }
    }
  }

  /** {@code -log((1/k) sum_i exp(logW_i))} over axis 0, stabilised by the (gradient-free) max. */
  static NDArray negLogMeanExp(NDArray logW, long k) {
    try (NDArray max = logW.max(new int[] {0}, true);
        NDArray m = max.stopGradient();
        NDArray shifted = logW.sub(m);
        NDArray w = shifted.exp();
        NDArray s = w.sum(new int[] {0}, true);
        NDArray ls = s.log();
        NDArray lse = ls.add(m);
        NDArray mean = lse.sub(Math.log(k));
        NDArray neg = mean.neg()) {
      return neg.squeeze(0);
    }
  }
}
