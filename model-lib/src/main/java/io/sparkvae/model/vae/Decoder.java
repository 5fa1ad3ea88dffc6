package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The generative network of p(x|z): it declares its tensors in the network's {@link ParamLayout}
 * and maps latent codes to the natural parameters that the {@link Likelihood} reads (Bernoulli
 * logits, Gaussian means; {@link Likelihood#decoderOutputs()} of them per row). Results are
 * attached to the manager of the input.
 */
public interface Decoder {
  /** Dimension of z. */
  int latentDim();

  /** Width of an output row: the likelihood's {@link Likelihood#decoderOutputs()}. */
  int outputWidth();

  /**
   * Decodes latent codes.
   *
   * @param params the network's parameters in layout order
   * @param z latent codes {@code [..., latentDim]} (leading sample dimensions are kept)
   * @return {@code [..., outputWidth]}
   */
  NDArray decode(NDList params, NDArray z);
}
