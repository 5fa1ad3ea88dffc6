package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The observation model p(x|z) of a block of input columns, given the decoder's output for them. A
 * likelihood declares its own tensors (with their initialisation) in the network's {@link
 * ParamLayout} when it is built (the Gaussian's learned log-std), reads {@link #decoderOutputs()}
 * decoder outputs (its natural parameters: logits, means), gives the log-probability of each
 * column, the mean E[x|z] for reconstructions and samples, and the {@link Support} that input rows
 * must lie in. Instances are chosen once per configuration by {@link LikelihoodKind}.
 *
 * <p>Why per column: a likelihood models a slice of {@link #columns()} columns, and the ELBO sums
 * {@link #columnLogProb} over them. A likelihood mixed per column (categorical, Poisson, Gaussian
 * side by side) can then be a list of likelihoods over consecutive slices of {@code x} and of the
 * decoder's output, concatenating their column log-probabilities; and a missing-value mask can
 * multiply the column log-probabilities by 0 or 1 before the sum. Neither exists yet: every
 * likelihood here covers all of {@code x} without a mask, and {@link #logProb} is the plain sum.
 *
 * <p>Every function borrows its inputs and returns one new array attached to the manager of {@code
 * x} or {@code decoded}; temporaries are closed before returning. Constants on a differentiated
 * path are multiplied with {@link Likelihoods#mulConst}, never {@code mul(Number)}.
 */
public interface Likelihood {
  /** Number of input columns this likelihood models. */
  int columns();

  /** Number of decoder outputs it reads per row (its natural parameters). */
  int decoderOutputs();

  /** The values the observations must take. */
  Support support();

  /**
   * {@code log p(x_j|z)} of every column.
   *
   * @param params the network's parameters in layout order
   * @param x targets {@code [B, columns]}
   * @param decoded the decoder's output {@code [..., B, decoderOutputs]} (broadcast over leading
   *     sample dimensions)
   * @return {@code [..., B, columns]}
   */
  NDArray columnLogProb(NDList params, NDArray x, NDArray decoded);

  /** {@code log p(x|z)}: {@link #columnLogProb} summed over the columns, {@code [..., B]}. */
  default NDArray logProb(NDList params, NDArray x, NDArray decoded) {
    try (NDArray perColumn = columnLogProb(params, x, decoded)) {
      return perColumn.sum(new int[] {-1});
    }
  }

  /**
   * The mean E[x|z] of each column for a decoder output ({@code sigmoid(logits)}, the Gaussian
   * means), {@code [..., B, columns]}. It may be {@code decoded} itself when the two coincide.
   */
  NDArray mean(NDArray decoded);
}
