package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import io.sparkvae.model.config.VaeConfig;

/**
 * The encoder q(z|x) and decoder p(x|z) of a VAE as functions of an explicit parameter list (in
 * {@link ParamLayout} order), built from DJL's layer operations ({@link Linear#linear}, {@link
 * Activation}) on the PyTorch engine.
 *
 * <p>Parameters are passed in rather than owned, so the same code serves training (parameters
 * that require gradients), evaluation, float64 gradient checks and inference; and so no DJL {@code
 * ParameterStore} is shared between threads. Every result is attached to the manager of the input
 * array ({@code x} or {@code z}): callers scope temporaries by where they create their inputs.
 *
 * <p>Encoder: hidden layers, then {@code loc = W x + b} and {@code scale = exp(W' x + b')}, as in
 * Pyro's VAE example. Decoder: hidden layers, then an output layer giving Bernoulli logits or
 * Gaussian means. Prior: standard normal.
 */
public final class VaeNetwork {
  private final VaeConfig config;
  private final ParamLayout layout;
  private final int encoderHidden;
  private final int decoderHidden;

  /** The network of a configuration. */
  public VaeNetwork(VaeConfig config) {
    this.config = config;
    this.layout = ParamLayout.of(config);
    this.encoderHidden = config.encoderHidden().length;
    this.decoderHidden = config.decoderHidden().length;
  }

  /** The configuration. */
  public VaeConfig config() {
    return config;
  }

  /** The parameter layout. */
  public ParamLayout layout() {
    return layout;
  }

  /** The posterior q(z|x) of a batch: location and log-scale, each {@code [..., latentDim]}. */
  public record Posterior(NDArray loc, NDArray logScale) {}

  /**
   * Encodes a batch.
   *
   * @param params parameters in layout order
   * @param x inputs {@code [B, inputDim]}
   */
  public Posterior encode(NDList params, NDArray x) {
    NDArray h = x;
    int i = 0;
    for (int l = 0; l < encoderHidden; l++, i += 2) {
      h = activate(Linear.linear(h, params.get(i), params.get(i + 1)).singletonOrThrow());
    }
    NDArray loc = Linear.linear(h, params.get(i), params.get(i + 1)).singletonOrThrow();
    NDArray logScale = Linear.linear(h, params.get(i + 2), params.get(i + 3)).singletonOrThrow();
    return new Posterior(loc, logScale);
  }

  /**
   * Decodes latent codes into the likelihood's natural output: Bernoulli logits or Gaussian means.
   *
   * @param z latent codes {@code [..., latentDim]}
   * @return {@code [..., inputDim]}
   */
  public NDArray decode(NDList params, NDArray z) {
    int i = 2 * encoderHidden + 4;
    NDArray h = z;
    for (int l = 0; l < decoderHidden; l++, i += 2) {
      h = activate(Linear.linear(h, params.get(i), params.get(i + 1)).singletonOrThrow());
    }
    return Linear.linear(h, params.get(i), params.get(i + 1)).singletonOrThrow();
  }

  /**
   * The decoder's mean of p(x|z) for an output of {@link #decode}: {@code sigmoid(logits)} for the
   * Bernoulli likelihood, the means themselves for the Gaussian one.
   */
  public NDArray mean(NDArray decoded) {
    return VaeConfig.BERNOULLI.equals(config.likelihood()) ? Activation.sigmoid(decoded) : decoded;
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
    if (VaeConfig.BERNOULLI.equals(config.likelihood())) {
      return Likelihoods.bernoulliLogProb(x, decoded);
    }
    if (config.learnsObservationStd()) {
      return Likelihoods.gaussianLogProb(x, decoded, params.get(params.size() - 1));
    }
    return Likelihoods.gaussianLogProb(x, decoded, Math.log(config.gaussianFixedStd()));
  }

  private NDArray activate(NDArray a) {
    switch (config.activation()) {
      case "relu":
        return Activation.relu(a);
      case "tanh":
        return Activation.tanh(a);
      default:
        return Activation.softPlus(a);
    }
  }
}
