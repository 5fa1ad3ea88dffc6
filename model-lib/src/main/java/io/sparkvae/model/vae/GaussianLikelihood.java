package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Independent Gaussian columns with the decoder's outputs as means (one per column), for
 * real-valued features. The standard deviation is either learned per column (it declares {@code
 * dec.logStd [columns]}, starting at zero, unit variance) or fixed for every column.
 */
public final class GaussianLikelihood implements Likelihood {
  private final int columns;

  /** Index of {@code dec.logStd} in the parameter list, or -1 for a fixed std. */
  private final int logStd;

  private final double fixedLogStd;

  private GaussianLikelihood(int columns, int logStd, double fixedLogStd) {
    this.columns = columns;
    this.logStd = logStd;
    this.fixedLogStd = fixedLogStd;
  }

  /** A learned per-column log-std, declared in {@code layout} as {@code dec.logStd}. */
  public static GaussianLikelihood learned(ParamLayout.Builder layout, int columns) {
    int slot = layout.add("dec.logStd", new long[] {columns}, Init.zeros());
    return new GaussianLikelihood(columns, slot, Double.NaN);
  }

  /** One fixed std for every column. */
  public static GaussianLikelihood fixed(int columns, double std) {
    return new GaussianLikelihood(columns, -1, Math.log(std));
  }

  /** Whether the log-std is a parameter. */
  public boolean learnsStd() {
    return logStd >= 0;
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
    return Support.REAL;
  }

  @Override
  public NDArray columnLogProb(NDList params, NDArray x, NDArray decoded) {
    if (learnsStd()) {
      return Likelihoods.gaussianColumnLogProb(x, decoded, params.get(logStd));
    }
    return Likelihoods.gaussianColumnLogProb(x, decoded, fixedLogStd);
  }

  @Override
  public NDArray mean(NDArray decoded) {
    return decoded;
  }
}
