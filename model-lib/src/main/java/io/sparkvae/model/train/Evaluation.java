package io.sparkvae.model.train;

import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.data.RowBlocks;
import io.sparkvae.model.vae.VaeInference;
import java.util.SplittableRandom;

/** The mean negative ELBO (and importance-weighted bound) of a model on a dataset. */
public final class Evaluation {
  private Evaluation() {}

  /**
   * Sums over a dataset, in nats.
   *
   * @param negElboSum sum over examples of the negative ELBO (one z sample, KL weight 1)
   * @param negIwaeSum sum of the negative importance-weighted bound with {@code iwaeSamples}
   *     samples, or NaN when not computed
   * @param examples number of examples
   */
  public record Result(double negElboSum, double negIwaeSum, long examples, int iwaeSamples)
      implements java.io.Serializable {
    /** Mean negative ELBO per example. */
    public double negElbo() {
      return negElboSum / examples;
    }

    /** Mean negative importance-weighted bound per example (NaN when not computed). */
    public double negIwae() {
      return negIwaeSum / examples;
    }

    /** Adds the sums of two disjoint parts of a dataset. */
    public Result plus(Result o) {
      return new Result(
          negElboSum + o.negElboSum, negIwaeSum + o.negIwaeSum, examples + o.examples, iwaeSamples);
    }
  }

  /**
   * Evaluates a model on every row of a dataset, in batches.
   *
   * @param iwaeSamples number of samples for the importance-weighted bound; {@code <= 1} skips it
   * @param seed seed of the noise (evaluation is deterministic for a seed)
   */
  public static Result evaluate(
      VaeInference model, Dataset data, int batchSize, int iwaeSamples, long seed) {
    return evaluate(model, data.features(), data.rows(), data.dim(), batchSize, iwaeSamples, seed);
  }

  /** Evaluates {@code rows} packed rows of {@code dim} features. */
  public static Result evaluate(
      VaeInference model,
      float[] features,
      int rows,
      int dim,
      int batchSize,
      int iwaeSamples,
      long seed) {
    return evaluate(model, RowBlocks.of(features, rows, dim), batchSize, iwaeSamples, seed);
  }

  /** Evaluates packed rows in blocks. */
  public static Result evaluate(
      VaeInference model, RowBlocks data, int batchSize, int iwaeSamples, long seed) {
    int rows = data.rows();
    int dim = data.dim();
    SplittableRandom noise = new SplittableRandom(seed);
    double elbo = 0;
    double iwae = iwaeSamples > 1 ? 0 : Double.NaN;
    float[] batch = new float[batchSize * dim];
    for (int start = 0; start < rows; start += batchSize) {
      int n = Math.min(batchSize, rows - start);
      data.copyRows(start, n, batch, 0);
      for (float v : model.negElbo(batch, n, 1, noise)) {
        elbo += v;
      }
      if (iwaeSamples > 1) {
        for (float v : model.negElbo(batch, n, iwaeSamples, noise)) {
          iwae += v;
        }
      }
    }
    return new Result(elbo, iwae, rows, iwaeSamples);
  }
}
