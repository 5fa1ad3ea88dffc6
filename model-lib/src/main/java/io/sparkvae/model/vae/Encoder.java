package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The inference network q(z|x): it declares its tensors (with their initialisation) in the
 * network's {@link ParamLayout} when it is built, and maps a batch of inputs to the parameters of
 * the posterior. Its mean (for encoding) is {@link Posterior#loc()}.
 *
 * <p>Like every block, it owns no parameters: they are passed in as the network's list, in which it
 * finds its own tensors by the indices its declarations returned. Results are attached to the
 * manager of the input.
 */
public interface Encoder {
  /** Width of an input row. */
  int inputWidth();

  /** Dimension of z. */
  int latentDim();

  /**
   * The posterior of a batch.
   *
   * @param params the network's parameters in layout order
   * @param x inputs {@code [B, inputWidth]}
   */
  Posterior encode(NDList params, NDArray x);
}
