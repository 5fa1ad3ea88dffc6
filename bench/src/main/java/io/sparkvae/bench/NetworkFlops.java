package io.sparkvae.bench;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Floating-point operations per example of a configured VAE, counted from its {@link ParamLayout}
 * and the operations {@link io.sparkvae.model.vae.VaeNetwork}, {@link io.sparkvae.model.vae.Elbo}
 * and {@link io.sparkvae.model.vae.VaeInference#encode} perform. The basis of the FLOP bound of
 * {@link FlopBench}.
 *
 * <p>What is counted, and how:
 *
 * <ul>
 *   <li>Matrix products: each {@code Linear} layer {@code in → out} costs {@code 2·in·out} per
 *       example (one multiply and one add per weight). The encoder's two heads ({@code loc} and
 *       {@code scale}) are two separate {@code hidden → latent} layers, as the network computes
 *       them. The decoder runs once per sample of z ({@code elboSamples} times).
 *   <li>Elementwise operations: one FLOP per element per operation, whatever the operation: a bias
 *       add, a softplus, an {@code exp} or a square each count 1; a sum over an axis counts one per
 *       summed element. Transcendental functions cost far more than one multiply-add in reality, so
 *       this part is a lower count, stated as such. It is under 1 % of the total for the MNIST
 *       network.
 *   <li>Training: {@link #training()} is 3 × {@link #forward()} (forward, plus a backward pass that
 *       costs two matrix products per layer: the gradient of the input and of the weight). Autograd
 *       skips the input gradient of a layer that reads the data (the data need none), which {@link
 *       #trainingGemmAutograd()} counts exactly. Not included in either: the Adam update, {@link
 *       #adamPerStep()} FLOPs per minibatch step whatever the batch size.
 *   <li>Encoding ({@link #encode()}): the encoder and its two heads plus the {@code exp} of the
 *       log-scale, what {@code VaeInference.encode} computes; no decoder, no loss.
 * </ul>
 */
public final class NetworkFlops {
  /** FLOPs of the Adam update per parameter per step, as {@code LocalTrainer} performs it. */
  public static final int ADAM_FLOPS_PER_PARAM = 13;

  /**
   * One {@code Linear} layer of the network.
   *
   * @param name its name in the {@link ParamLayout} ({@code enc.h0}, {@code enc.loc}, ...)
   * @param in input features
   * @param out output features
   * @param decoder whether it belongs to the decoder (runs once per sample of z)
   */
  public record Layer(String name, int in, int out, boolean decoder) {
    /** Multiply-adds of one example through this layer, counted as 2 FLOPs each. */
    public long gemmFlops() {
      return 2L * in * out;
    }

    /**
     * Whether this is a hidden layer (bias and activation) rather than a head or output (bias
     * only).
     */
    public boolean hidden() {
      return name.startsWith("enc.h") || name.startsWith("dec.h");
    }
  }

  private final VaeConfig config;
  private final List<Layer> layers;

  private NetworkFlops(VaeConfig config, List<Layer> layers) {
    this.config = config;
    this.layers = Collections.unmodifiableList(layers);
  }

  /** The counts of a configuration's network. */
  public static NetworkFlops of(VaeConfig config) {
    List<Layer> layers = new ArrayList<>();
    for (ParamLayout.Entry e : ParamLayout.of(config).entries()) {
      if (e.name().endsWith(".weight")) {
        String name = e.name().substring(0, e.name().length() - ".weight".length());
        layers.add(
            new Layer(name, (int) e.shape()[1], (int) e.shape()[0], name.startsWith("dec.")));
      }
    }
    return new NetworkFlops(config, layers);
  }

  /** The configuration counted. */
  public VaeConfig config() {
    return config;
  }

  /** The {@code Linear} layers in layout order: encoder hidden layers, the two heads, decoder. */
  public List<Layer> layers() {
    return layers;
  }

  /** Whether a layer's input is the data: the first encoder layer, or both heads without one. */
  public boolean readsData(Layer l) {
    return l.name().equals("enc.h0") || (config.encoderHidden().length == 0 && !l.decoder());
  }

  /** Matrix-product FLOPs of the encoder and its heads, per example. */
  public long encoderGemm() {
    return layers.stream().filter(l -> !l.decoder()).mapToLong(Layer::gemmFlops).sum();
  }

  /** Matrix-product FLOPs of the decoder, per example and sample of z. */
  public long decoderGemm() {
    return layers.stream().filter(Layer::decoder).mapToLong(Layer::gemmFlops).sum();
  }

  /** Matrix-product FLOPs of the training forward pass per example. */
  public long forwardGemm() {
    return encoderGemm() + (long) config.elboSamples() * decoderGemm();
  }

  /**
   * Elementwise FLOPs of the encoder per example: bias and activation of hidden layers, bias of
   * heads.
   */
  public long encoderElementwise() {
    return layers.stream()
        .filter(l -> !l.decoder())
        .mapToLong(l -> (l.hidden() ? 2L : 1L) * l.out())
        .sum();
  }

  /**
   * Elementwise FLOPs of the decoder per example and sample: bias and activation of hidden layers,
   * output bias.
   */
  public long decoderElementwise() {
    return layers.stream()
        .filter(Layer::decoder)
        .mapToLong(l -> (l.hidden() ? 2L : 1L) * l.out())
        .sum();
  }

  /**
   * Elementwise FLOPs of the training forward pass per example: the encoder; per sample of z the
   * reparameterisation ({@code exp}, multiply, add per latent unit), the decoder, the
   * log-likelihood, the Monte Carlo KL term and the scalar operations that combine them (the
   * analytic KL is computed once, not per sample); for several samples, the log-mean-exp.
   */
  public long forwardElementwise() {
    long k = config.elboSamples();
    long latent = config.latentDim();
    long d = config.inputDim();
    long likelihood;
    if (config.likelihood() == LikelihoodKind.BERNOULLI) {
      likelihood = 4 * d; // x*l, softplus(l), difference, sum
    } else if (config.learnsObservationStd()) {
      likelihood = 7 * d; // difference, * 1/std, square, * -1/2, + log-std, - log(2 pi)/2, sum
    } else {
      likelihood = 6 * d; // difference, * 1/std, square, * -1/2, - constant, sum
    }
    long once = encoderElementwise();
    long perSample = 3 * latent + decoderElementwise() + likelihood;
    if (config.klEstimator() == KlEstimator.ANALYTIC) {
      once +=
          8 * latent + 2; // 2 log-scale, exp, loc^2, add, sub, -1, *1/2, sum; * weight, difference
    } else {
      perSample +=
          6 * latent
              + 3; // z^2, eps^2, difference, *1/2, - log-scale, sum; * weight, difference, negation
    }
    if (k > 1) {
      once += 8 * k; // log-mean-exp over the samples: max, subtract, exp, sum, log, add, - log k,
      // negation
    }
    return once + k * perSample;
  }

  /** FLOPs of the training forward pass (loss included) per example. */
  public long forward() {
    return forwardGemm() + forwardElementwise();
  }

  /** FLOPs of one training example: 3 × {@link #forward()} (forward and backward). */
  public long training() {
    return 3 * forward();
  }

  /**
   * Matrix-product FLOPs of forward and backward per training example as autograd runs them: the
   * forward products, the weight gradient of every layer, and the input gradient of every layer
   * that does not read the data.
   */
  public long trainingGemmAutograd() {
    long k = config.elboSamples();
    long n = 0;
    for (Layer l : layers) {
      n += (l.decoder() ? k : 1) * l.gemmFlops() * (readsData(l) ? 2 : 3);
    }
    return n;
  }

  /** FLOPs of the Adam update of one minibatch step (all parameters), whatever the batch size. */
  public long adamPerStep() {
    return (long) ADAM_FLOPS_PER_PARAM * ParamLayout.of(config).totalSize();
  }

  /** FLOPs of encoding one example ({@code VaeInference.encode}): encoder, heads, {@code exp}. */
  public long encode() {
    return encoderGemm() + encoderElementwise() + config.latentDim();
  }
}
