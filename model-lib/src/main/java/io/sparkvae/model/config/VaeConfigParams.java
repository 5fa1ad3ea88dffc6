package io.sparkvae.model.config;

import static io.sparkvae.model.config.ParamSpecs.choice;
import static io.sparkvae.model.config.ParamSpecs.doubleIn;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;
import static io.sparkvae.model.config.ParamSpecs.longAtLeast;
import static io.sparkvae.model.config.ParamSpecs.positiveIntList;

import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.HiddenActivation;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.model.vae.LikelihoodKind;
import java.util.List;

/**
 * The declaration of each {@link VaeConfig} hyperparameter, once: name, documentation, default,
 * validator, kind of value (which owns its text and JSON forms), and the field it reads and writes.
 * One typed handle per hyperparameter, so the builder and the Spark ML getters read and write
 * values without looking them up by name. Kept apart from {@link VaeConfig}, the immutable value
 * they describe, which lists them as {@link VaeConfig#PARAMS}.
 */
public final class VaeConfigParams {
  private VaeConfigParams() {}

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Integer> INPUT_DIM =
      intAtLeast(
          "inputDim",
          "Number of input features (784 for 28x28 images).",
          784,
          1,
          c -> c.inputDim,
          (b, v) -> b.c.inputDim = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, int[]> ENCODER_HIDDEN =
      positiveIntList(
          "encoderHidden",
          "Hidden layer sizes of the encoder q(z|x), input side first.",
          new int[] {400},
          true,
          c -> c.encoderHidden,
          (b, v) -> b.c.encoderHidden = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, int[]> DECODER_HIDDEN =
      positiveIntList(
          "decoderHidden",
          "Hidden layer sizes of the decoder p(x|z), latent side first.",
          new int[] {400},
          true,
          c -> c.decoderHidden,
          (b, v) -> b.c.decoderHidden = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Integer> LATENT_DIM =
      intAtLeast(
          "latentDim",
          "Dimension of the latent code z.",
          50,
          1,
          c -> c.latentDim,
          (b, v) -> b.c.latentDim = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, HiddenActivation> ACTIVATION =
      choice(
          "activation",
          "Hidden-layer non-linearity.",
          HiddenActivation.class,
          HiddenActivation.SOFTPLUS,
          c -> c.activation,
          (b, v) -> b.c.activation = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, LikelihoodKind> LIKELIHOOD =
      choice(
          "likelihood",
          "Observation model p(x|z): bernoulli (features in [0,1], log-prob on logits), gaussian, or"
              + " tabular (per-column likelihoods; set by the estimator when inputCols is given).",
          LikelihoodKind.class,
          LikelihoodKind.BERNOULLI,
          c -> c.likelihood,
          (b, v) -> b.c.likelihood = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, GaussianVariance> GAUSSIAN_VARIANCE =
      choice(
          "gaussianVariance",
          "Gaussian likelihood only: learn a per-feature log-std, or keep it fixed.",
          GaussianVariance.class,
          GaussianVariance.LEARNED,
          c -> c.gaussianVariance,
          (b, v) -> b.c.gaussianVariance = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> GAUSSIAN_FIXED_STD =
      doubleIn(
          "gaussianFixedStd",
          "Gaussian likelihood with fixed variance: the observation std.",
          1.0,
          0,
          false,
          Double.POSITIVE_INFINITY,
          false,
          c -> c.gaussianFixedStd,
          (b, v) -> b.c.gaussianFixedStd = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, KlEstimator> KL_ESTIMATOR =
      choice(
          "klEstimator",
          "KL(q(z|x)||p(z)) estimator: mc (sampled, Pyro Trace_ELBO) or analytic (closed form,"
              + " Pyro TraceMeanField_ELBO).",
          KlEstimator.class,
          KlEstimator.MC,
          c -> c.klEstimator,
          (b, v) -> b.c.klEstimator = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Integer> ELBO_SAMPLES =
      intAtLeast(
          "elboSamples",
          "Samples of z per example; above 1 the objective is the importance-weighted bound"
              + " (Burda et al. 2015).",
          1,
          1,
          c -> c.elboSamples,
          (b, v) -> b.c.elboSamples = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> BETA =
      doubleIn(
          "beta",
          "Weight of the KL term (1 is the ELBO; other values give a beta-VAE).",
          1.0,
          0,
          true,
          Double.POSITIVE_INFINITY,
          false,
          c -> c.beta,
          (b, v) -> b.c.beta = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Long> KL_WARMUP_STEPS =
      longAtLeast(
          "klWarmupSteps",
          "Optimizer steps over which the KL weight rises linearly from 0 to beta (0: no warm-up; not set,"
              + " on tabular input: 40 % of the run's steps).",
          0,
          0,
          c -> c.klWarmupSteps,
          (b, v) -> b.c.klWarmupSteps = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> LEARNING_RATE =
      doubleIn(
          "learningRate",
          "Adam learning rate.",
          1e-3,
          0,
          false,
          Double.POSITIVE_INFINITY,
          false,
          c -> c.learningRate,
          (b, v) -> b.c.learningRate = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> ADAM_BETA1 =
      doubleIn(
          "adamBeta1",
          "Adam decay rate of the first moment.",
          0.9,
          0,
          true,
          1,
          false,
          c -> c.adamBeta1,
          (b, v) -> b.c.adamBeta1 = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> ADAM_BETA2 =
      doubleIn(
          "adamBeta2",
          "Adam decay rate of the second moment.",
          0.999,
          0,
          true,
          1,
          false,
          c -> c.adamBeta2,
          (b, v) -> b.c.adamBeta2 = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Double> ADAM_EPS =
      doubleIn(
          "adamEps",
          "Adam denominator epsilon.",
          1e-8,
          0,
          false,
          Double.POSITIVE_INFINITY,
          false,
          c -> c.adamEps,
          (b, v) -> b.c.adamEps = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Integer> BATCH_SIZE =
      intAtLeast(
          "batchSize",
          "Examples per minibatch.",
          256,
          1,
          c -> c.batchSize,
          (b, v) -> b.c.batchSize = v);

  public static final ParamSpec<VaeConfig, VaeConfig.Builder, Long> SEED =
      longAtLeast(
          "seed",
          "Seed of parameter initialization, shuffling and the noise of the ELBO.",
          42,
          0,
          c -> c.seed,
          (b, v) -> b.c.seed = v);

  /** Every hyperparameter, in a stable order (the order of {@code --help} and of the JSON). */
  static final List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> ALL =
      List.of(
          INPUT_DIM,
          ENCODER_HIDDEN,
          DECODER_HIDDEN,
          LATENT_DIM,
          ACTIVATION,
          LIKELIHOOD,
          GAUSSIAN_VARIANCE,
          GAUSSIAN_FIXED_STD,
          KL_ESTIMATOR,
          ELBO_SAMPLES,
          BETA,
          KL_WARMUP_STEPS,
          LEARNING_RATE,
          ADAM_BETA1,
          ADAM_BETA2,
          ADAM_EPS,
          BATCH_SIZE,
          SEED);

  /**
   * What rebuilds and runs the trained network (layer sizes, activation, likelihood, and the KL
   * estimator its negative ELBO column uses): model.json's {@code architecture}.
   */
  public static final List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> ARCHITECTURE =
      List.of(
          INPUT_DIM,
          ENCODER_HIDDEN,
          DECODER_HIDDEN,
          LATENT_DIM,
          ACTIVATION,
          LIKELIHOOD,
          GAUSSIAN_VARIANCE,
          GAUSSIAN_FIXED_STD,
          KL_ESTIMATOR);

  /**
   * How the network was trained (objective, optimizer, schedule, minibatch, seed): model.json's
   * {@code training}, kept for provenance; a trained model runs without it.
   */
  public static final List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> TRAINING =
      List.of(
          ELBO_SAMPLES,
          BETA,
          KL_WARMUP_STEPS,
          LEARNING_RATE,
          ADAM_BETA1,
          ADAM_BETA2,
          ADAM_EPS,
          BATCH_SIZE,
          SEED);
}
