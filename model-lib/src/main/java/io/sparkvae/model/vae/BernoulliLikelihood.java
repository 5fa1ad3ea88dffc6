package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;

/**
 * Independent Bernoulli columns on logits (one decoder output per column), for features in [0, 1]:
 * {@code log p(x|l) = x*l - softplus(l)}, exact for grey levels too, as Pyro's example uses them.
 * No tensors of its own.
 */
public final class BernoulliLikelihood implements Likelihood {
  private final int columns;

  /** A Bernoulli likelihood over {@code columns} columns. */
  public BernoulliLikelihood(int columns) {
    this.columns = columns;
  }

  @Override
  public int columns() {
    return columns;
  }

  @Override
  public int decoderOutputs() {
    return columns;
  }

  @Override
  public Support support() {
    return Support.UNIT_INTERVAL;
  }

  @Override
  public NDArray columnLogProb(NDList params, NDArray x, NDArray decoded) {
    return Likelihoods.bernoulliColumnLogProb(x, decoded);
  }

  @Override
  public NDArray mean(NDArray decoded) {
    return Activation.sigmoid(decoded);
  }
}
