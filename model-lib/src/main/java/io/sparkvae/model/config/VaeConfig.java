package io.sparkvae.model.config;

import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.HiddenActivation;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.model.vae.LikelihoodKind;
import java.util.List;
import java.util.Map;

/**
 * The immutable, validated description of a VAE and of how it is trained: architecture, likelihood,
 * ELBO estimator and optimizer. Every field is declared once in {@link #PARAMS} with its default,
 * documentation and validator; the defaults are those of Pyro's VAE example on MNIST (784-400-50,
 * softplus, Bernoulli likelihood, {@code Trace_ELBO}, Adam with learning rate 1e-3, minibatches of
 * 256).
 *
 * <p>The model is the variational autoencoder of Kingma &amp; Welling (2013), "Auto-Encoding
 * Variational Bayes"; with {@code elboSamples > 1} the objective is the importance-weighted bound
 * of Burda, Grosse &amp; Salakhutdinov (2015).
 */
public final class VaeConfig implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  // Package-private: VaeConfigParams's declarations read and write them; nothing else does.

  int inputDim;
  int[] encoderHidden;
  int[] decoderHidden;
  int latentDim;
  HiddenActivation activation;
  LikelihoodKind likelihood;
  GaussianVariance gaussianVariance;
  double gaussianFixedStd;
  KlEstimator klEstimator;
  int elboSamples;
  double beta;
  long klWarmupSteps;
  double learningRate;
  double adamBeta1;
  double adamBeta2;
  double adamEps;
  int batchSize;
  long seed;

  /**
   * The fitted columns of a tabular model, or null. Not a hyperparameter: data fitted by the
   * estimator, stored in model.json beside the config (under "tabular"), so it is not in PARAMS.
   */
  private io.sparkvae.model.tabular.TabularSchema tabular;

  /**
   * Every hyperparameter, declared in {@link VaeConfigParams}, in a stable order (that of {@code
   * --help} and of the JSON).
   */
  public static final List<ParamSpec<VaeConfig, Builder, ?>> PARAMS = VaeConfigParams.ALL;

  /** The declarations, with what every config class does with them. */
  public static final ParamSchema<VaeConfig, Builder> SCHEMA =
      new ParamSchema<>("VAE parameter", PARAMS);

  private VaeConfig() {}

  /** A builder holding every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration with every default (Pyro's MNIST example). */
  public static VaeConfig defaults() {
    return builder().build();
  }

  /** A builder initialised with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.c = copy();
    return b;
  }

  /** Looks a parameter up by name, or throws naming the unknown parameter. */
  public static ParamSpec<VaeConfig, Builder, ?> param(String name) {
    return SCHEMA.param(name);
  }

  /** Every parameter's value by name, in {@link #PARAMS} order (numbers, strings, int arrays). */
  public Map<String, Object> toMap() {
    return SCHEMA.toMap(this);
  }

  /**
   * Builds a config from a name-to-value map; missing names keep their defaults.
   *
   * @throws IllegalArgumentException for an unknown name or an invalid value, naming it
   */
  public static VaeConfig fromMap(Map<String, ?> values) {
    Builder b = builder();
    SCHEMA.setAll(b, values, true);
    return b.build();
  }

  /** Input feature count. */
  public int inputDim() {
    return inputDim;
  }

  /** Encoder hidden sizes (a copy). */
  public int[] encoderHidden() {
    return encoderHidden.clone();
  }

  /** Decoder hidden sizes (a copy). */
  public int[] decoderHidden() {
    return decoderHidden.clone();
  }

  /** Latent dimension. */
  public int latentDim() {
    return latentDim;
  }

  /** Hidden non-linearity: softplus, relu or tanh. */
  public HiddenActivation activation() {
    return activation;
  }

  /** The observation model: bernoulli, gaussian or tabular. */
  public LikelihoodKind likelihood() {
    return likelihood;
  }

  /** The tabular schema of a tabular model, or null. */
  public io.sparkvae.model.tabular.TabularSchema tabular() {
    return tabular;
  }

  /** learned or fixed (Gaussian likelihood only). */
  public GaussianVariance gaussianVariance() {
    return gaussianVariance;
  }

  /** Observation std when the Gaussian variance is fixed. */
  public double gaussianFixedStd() {
    return gaussianFixedStd;
  }

  /** True for the Gaussian likelihood with a learned per-feature log-std. */
  public boolean learnsObservationStd() {
    return likelihood == LikelihoodKind.GAUSSIAN && gaussianVariance == GaussianVariance.LEARNED;
  }

  /** mc or analytic. */
  public KlEstimator klEstimator() {
    return klEstimator;
  }

  /** Number of z samples per example (k). */
  public int elboSamples() {
    return elboSamples;
  }

  /** KL weight. */
  public double beta() {
    return beta;
  }

  /** Linear KL warm-up length in optimizer steps. */
  public long klWarmupSteps() {
    return klWarmupSteps;
  }

  /** The KL weight at a given optimizer step (1-based), after warm-up. */
  public double klWeightAt(long step) {
    if (klWarmupSteps == 0) {
      return beta;
    }
    return beta * Math.min(1.0, (double) step / klWarmupSteps);
  }

  /** Adam learning rate. */
  public double learningRate() {
    return learningRate;
  }

  /** Adam beta1. */
  public double adamBeta1() {
    return adamBeta1;
  }

  /** Adam beta2. */
  public double adamBeta2() {
    return adamBeta2;
  }

  /** Adam epsilon. */
  public double adamEps() {
    return adamEps;
  }

  /** Minibatch size. */
  public int batchSize() {
    return batchSize;
  }

  /** Seed. */
  public long seed() {
    return seed;
  }

  private VaeConfig copy() {
    Builder b = new Builder();
    b.c = new VaeConfig();
    SCHEMA.copy(this, b);
    b.c.tabular = tabular;
    return b.c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VaeConfig other
        && SCHEMA.sameValues(this, other)
        && java.util.Objects.equals(tabular, other.tabular);
  }

  @Override
  public int hashCode() {
    return 31 * SCHEMA.hash(this) + java.util.Objects.hashCode(tabular);
  }

  @Override
  public String toString() {
    String params = SCHEMA.describe("VaeConfig", this);
    return tabular == null
        ? params
        : params.substring(0, params.length() - 1) + ", tabular=" + tabular + "}";
  }

  /** Mutable builder; {@link #build()} validates the rules that span several fields. */
  public static final class Builder {
    // Package-private: VaeConfigParams's declarations write the fields of the config being built.
    VaeConfig c = new VaeConfig();

    private Builder() {
      SCHEMA.setDefaults(this);
    }

    /** Sets a parameter by name from text, as the command line and config files do. */
    public Builder set(String name, String value) {
      param(name).setFromString(this, value);
      return this;
    }

    public Builder inputDim(int v) {
      return with(VaeConfigParams.INPUT_DIM, v);
    }

    public Builder encoderHidden(int... v) {
      return with(VaeConfigParams.ENCODER_HIDDEN, v);
    }

    public Builder decoderHidden(int... v) {
      return with(VaeConfigParams.DECODER_HIDDEN, v);
    }

    public Builder latentDim(int v) {
      return with(VaeConfigParams.LATENT_DIM, v);
    }

    public Builder activation(HiddenActivation v) {
      return with(VaeConfigParams.ACTIVATION, v);
    }

    public Builder likelihood(LikelihoodKind v) {
      return with(VaeConfigParams.LIKELIHOOD, v);
    }

    public Builder gaussianVariance(GaussianVariance v) {
      return with(VaeConfigParams.GAUSSIAN_VARIANCE, v);
    }

    public Builder gaussianFixedStd(double v) {
      return with(VaeConfigParams.GAUSSIAN_FIXED_STD, v);
    }

    public Builder klEstimator(KlEstimator v) {
      return with(VaeConfigParams.KL_ESTIMATOR, v);
    }

    public Builder elboSamples(int v) {
      return with(VaeConfigParams.ELBO_SAMPLES, v);
    }

    public Builder beta(double v) {
      return with(VaeConfigParams.BETA, v);
    }

    public Builder klWarmupSteps(long v) {
      return with(VaeConfigParams.KL_WARMUP_STEPS, v);
    }

    public Builder learningRate(double v) {
      return with(VaeConfigParams.LEARNING_RATE, v);
    }

    public Builder adamBeta1(double v) {
      return with(VaeConfigParams.ADAM_BETA1, v);
    }

    public Builder adamBeta2(double v) {
      return with(VaeConfigParams.ADAM_BETA2, v);
    }

    public Builder adamEps(double v) {
      return with(VaeConfigParams.ADAM_EPS, v);
    }

    public Builder batchSize(int v) {
      return with(VaeConfigParams.BATCH_SIZE, v);
    }

    public Builder seed(long v) {
      return with(VaeConfigParams.SEED, v);
    }

    /**
     * Attaches a fitted tabular schema (null: none); {@link #build} then requires {@code
     * likelihood=tabular} and {@code inputDim} equal to its packed width.
     */
    public Builder tabular(io.sparkvae.model.tabular.TabularSchema schema) {
      c.tabular = schema;
      return this;
    }

    private <T> Builder with(ParamSpec<VaeConfig, Builder, T> spec, T value) {
      spec.set(this, value);
      return this;
    }

    /**
     * Validates the cross-field rules and returns an immutable config.
     *
     * @throws IllegalArgumentException naming the fields in conflict
     */
    public VaeConfig build() {
      if (c.elboSamples > 1 && c.klEstimator == KlEstimator.ANALYTIC) {
        throw new IllegalArgumentException(
            "elboSamples="
                + c.elboSamples
                + " (the importance-weighted bound) needs klEstimator=mc:"
                + " the bound weighs each sample by p(x,z)/q(z|x) and has no closed-form KL term");
      }
      if (c.tabular != null
          && (c.likelihood != LikelihoodKind.TABULAR || c.inputDim != c.tabular.packedWidth())) {
        throw new IllegalArgumentException(
            "a tabular schema needs likelihood=tabular and inputDim="
                + c.tabular.packedWidth()
                + " (its packed width); found likelihood="
                + c.likelihood.configName()
                + ", inputDim="
                + c.inputDim);
      }
      return c.copy();
    }
  }
}
