package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Log-densities used by the ELBO, written to stay finite for extreme inputs. Each function borrows
 * its inputs and returns one new array attached to the manager of {@code x} (or of the first array
 * argument); intermediate arrays are closed before returning.
 */
public final class Likelihoods {
  /** log(2 pi) / 2. */
  public static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  private Likelihoods() {}

  /**
   * {@code a * c} for a constant {@code c}: what {@code a.mul(c)} computes (the same 0-d float64
   * tensor), but with {@code c} copied into memory PyTorch owns. Never {@code a.mul(Number)} where
   * a gradient flows: DJL makes the number a tensor over a Java direct buffer and closes it at
   * once, while the autograd graph keeps that tensor for the backward pass (the gradient of {@code
   * a * c} is {@code grad * c}). The buffer is then unreachable, and a GC between the forward and
   * the backward pass frees its memory, so the backward pass reads freed memory: now and then a
   * wrong gradient, with the same loss. ({@code add} and {@code sub} of a number keep nothing of it
   * for the backward pass.)
   */
  public static NDArray mulConst(NDArray a, double c) {
    try (NDArray javaBacked = a.getManager().create(c);
        NDArray owned = javaBacked.duplicate()) {
      return a.mul(owned);
    }
  }

  /**
   * Bernoulli log-probability on logits, summed over the last axis: {@code sum(x*l - softplus(l))}.
   *
   * @param x targets {@code [B, D]} in [0,1]
   * @param logits {@code [..., B, D]}
   * @return {@code [..., B]}
   */
  public static NDArray bernoulliLogProb(NDArray x, NDArray logits) {
    return sumLast(bernoulliColumnLogProb(x, logits));
  }

  /**
   * Bernoulli log-probability on logits per column: {@code x*l - softplus(l)}. Exact for x in [0,1]
   * (grey levels too, as Pyro's example uses them) and finite for any finite logit, since softplus
   * is evaluated by PyTorch's stable kernel rather than as log(1+exp(l)).
   *
   * @param x targets {@code [B, D]} in [0,1]
   * @param logits {@code [..., B, D]}
   * @return {@code [..., B, D]}
   */
  public static NDArray bernoulliColumnLogProb(NDArray x, NDArray logits) {
    try (NDArray xl = x.mul(logits);
        NDArray sp = Activation.softPlus(logits)) {
      return xl.sub(sp);
    }
  }

  /**
   * Gaussian log-density summed over the last axis, with a per-feature log-std array.
   *
   * @param x targets {@code [B, D]}
   * @param mean {@code [..., B, D]}
   * @param logStd {@code [D]}
   */
  public static NDArray gaussianLogProb(NDArray x, NDArray mean, NDArray logStd) {
    return sumLast(gaussianColumnLogProb(x, mean, logStd));
  }

  /** {@link #gaussianLogProb(NDArray, NDArray, NDArray)} per column, {@code [..., B, D]}. */
  public static NDArray gaussianColumnLogProb(NDArray x, NDArray mean, NDArray logStd) {
    try (NDArray diff = x.sub(mean);
        NDArray negLogStd =
            x.getManager().zeros(logStd.getShape(), logStd.getDataType()).sub(logStd);
        NDArray invStd = negLogStd.exp();
        NDArray zscore = diff.mul(invStd);
        NDArray sq = zscore.square();
        NDArray half = mulConst(sq, -0.5);
        NDArray lp = half.add(negLogStd)) {
      return lp.sub(HALF_LOG_2PI);
    }
  }

  /** Gaussian log-density summed over the last axis, with one fixed log-std for every feature. */
  public static NDArray gaussianLogProb(NDArray x, NDArray mean, double logStd) {
    return sumLast(gaussianColumnLogProb(x, mean, logStd));
  }

  /** {@link #gaussianLogProb(NDArray, NDArray, double)} per column, {@code [..., B, D]}. */
  public static NDArray gaussianColumnLogProb(NDArray x, NDArray mean, double logStd) {
    try (NDArray diff = x.sub(mean);
        NDArray zscore = mulConst(diff, Math.exp(-logStd));
        NDArray sq = zscore.square();
        NDArray lp = mulConst(sq, -0.5)) {
      return lp.sub(logStd + HALF_LOG_2PI);
    }
  }

  /** The sum over the last axis of an array this call takes ownership of (and closes). */
  private static NDArray sumLast(NDArray owned) {
    try (owned) {
      return owned.sum(new int[] {-1});
    }
  }

  /**
   * {@code log N(z; loc, exp(logScale)) - log N(z; 0, 1)} summed over the last axis, given the
   * standard-normal noise {@code eps} with {@code z = loc + exp(logScale) * eps}: the single-sample
   * (Monte Carlo) estimate of KL(q||p) that Pyro's {@code Trace_ELBO} uses. Written in terms of
   * {@code eps} because {@code (z - loc)/scale = eps} exactly; the log(2 pi) terms cancel.
   *
   * @return {@code [..., B]}
   */
  public static NDArray logQMinusLogP(NDArray z, NDArray eps, NDArray logScale) {
    try (NDArray z2 = z.square();
        NDArray e2 = eps.square();
        NDArray d = z2.sub(e2);
        NDArray half = mulConst(d, 0.5);
        NDArray all = half.sub(logScale)) {
      return all.sum(new int[] {-1});
    }
  }

  /**
   * Closed-form KL(N(loc, exp(logScale)^2) || N(0, 1)) summed over the last axis: {@code 0.5 *
   * sum(scale^2 + loc^2 - 1 - 2 logScale)}.
   *
   * @return {@code [B]}
   */
  public static NDArray analyticKl(NDArray loc, NDArray logScale) {
    try (NDArray twoLog = mulConst(logScale, 2);
        NDArray var = twoLog.exp();
        NDArray loc2 = loc.square();
        NDArray s = var.add(loc2);
        NDArray t = s.sub(twoLog);
        NDArray u = t.sub(1)) {
      NDArray half = mulConst(u, 0.5);
      try (half) {
        return half.sum(new int[] {-1});
      }
    }
  }
}
