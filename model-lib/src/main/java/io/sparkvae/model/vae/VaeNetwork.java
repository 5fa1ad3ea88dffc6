package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.sparkvae.model.config.VaeConfig;

/**
 * A VAE as three blocks over an explicit parameter list: the {@link Encoder} q(z|x), the {@link
 * Decoder} and the {@link Likelihood} p(x|z), with a standard-normal prior. Built from a
 * configuration: {@link MlpEncoder} and {@link MlpDecoder} as in Pyro's VAE example, the likelihood
 * from {@link LikelihoodKind}. Each block declares its own tensors, so the {@link ParamLayout} is
 * the blocks' declarations in order (encoder, decoder, likelihood).
 *
 * <p>Parameters are passed in rather than owned, so the same code serves training (parameters that
 * require gradients), evaluation, float64 gradient checks and inference; and so no DJL {@code
 * ParameterStore} is shared between threads. Every result is attached to the manager of the input
 * array ({@code x} or {@code z}): callers scope temporaries by where they create their inputs.
 */
public final class VaeNetwork {
  private final VaeConfig config;
  private final Encoder encoder;
  private final Decoder decoder;
  private final Likelihood likelihood;
  private final ParamLayout layout;

  /**
   * The network of a configuration.
   *
   * @throws IllegalArgumentException for an activation or likelihood without an implementation
   */
  public VaeNetwork(VaeConfig config) {
    this.config = config;
    HiddenActivation activation = config.activation();
    LikelihoodKind kind = config.likelihood();
    int columns = config.inputDim();
    ParamLayout.Builder b = ParamLayout.builder();
    this.encoder =
        new MlpEncoder(b, columns, config.encoderHidden(), config.latentDim(), activation);
    this.decoder =
        new MlpDecoder(
            b, config.latentDim(), config.decoderHidden(), kind.decoderOutputs(config), activation);
    this.likelihood = kind.create(config, columns, b);
    this.layout = b.build();
  }

  /** The configuration. */
  public VaeConfig config() {
    return config;
  }

  /** The parameter layout. */
  public ParamLayout layout() {
    return layout;
  }

  /** The inference network. */
  public Encoder encoder() {
    return encoder;
  }

  /** The generative network. */
  public Decoder decoder() {
    return decoder;
  }

  /** The observation model. */
  public Likelihood likelihood() {
    return likelihood;
  }

  /**
   * Encodes a batch.
   *
   * @param params parameters in layout order
   * @param x inputs {@code [B, inputDim]}
   */
  public Posterior encode(NDList params, NDArray x) {
    return encoder.encode(params, x);
  }

  /**
   * Decodes latent codes into the likelihood's natural parameters: Bernoulli logits or Gaussian
   * means.
   *
   * @param z latent codes {@code [..., latentDim]}
   * @return {@code [..., inputDim]}
   */
  public NDArray decode(NDList params, NDArray z) {
    return decoder.decode(params, z);
  }

  /** The mean E[x|z] for an output of {@link #decode} (see {@link Likelihood#mean}). */
  public NDArray mean(NDArray decoded) {
    return likelihood.mean(decoded);
  }

  /**
   * {@code log p(x|z)} summed over features.
   *
   * @param x targets {@code [B, inputDim]}
   * @param decoded output of {@link #decode}, {@code [..., B, inputDim]} (broadcast over leading
   *     sample dimensions)
   * @return {@code [..., B]}
   */
  public NDArray logLikelihood(NDList params, NDArray x, NDArray decoded) {
    return likelihood.logProb(params, x, decoded);
  }
}
