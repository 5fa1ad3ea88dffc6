package io.sparkvae.model.vae;

import io.sparkvae.model.config.VaeConfig;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The registry of observation models by their configuration name ({@code likelihood}): the one
 * place where a name becomes a {@link Likelihood}. Code elsewhere asks the likelihood (its support,
 * its mean, its log-probability), never compares names.
 */
public enum LikelihoodKind {
  /** {@code bernoulli}: {@link BernoulliLikelihood}. */
  BERNOULLI {
    @Override
    public Likelihood create(VaeConfig config, int columns, ParamLayout.Builder layout) {
      return new BernoulliLikelihood(columns);
    }
  },
  /**
   * {@code gaussian}: {@link GaussianLikelihood}, learned or fixed std by {@code gaussianVariance}.
   */
  GAUSSIAN {
    @Override
    public Likelihood create(VaeConfig config, int columns, ParamLayout.Builder layout) {
      return config.learnsObservationStd()
          ? GaussianLikelihood.learned(layout, columns)
          : GaussianLikelihood.fixed(columns, config.gaussianFixedStd());
    }
  },
  /**
   * {@code tabular}: {@link io.sparkvae.model.tabular.TabularLikelihood} over the schema attached
   * to the configuration ({@link VaeConfig#tabular()}).
   */
  TABULAR {
    @Override
    public Likelihood create(VaeConfig config, int columns, ParamLayout.Builder layout) {
      return new io.sparkvae.model.tabular.TabularLikelihood(requireSchema(config), layout);
    }

    @Override
    public int decoderOutputs(VaeConfig config) {
      return requireSchema(config).decoderOutputs();
    }
  };

  private static io.sparkvae.model.tabular.TabularSchema requireSchema(VaeConfig config) {
    if (config.tabular() == null) {
      throw new IllegalArgumentException(
          "likelihood=tabular needs a fitted tabular schema: give the estimator"
              + " its input columns (inputCols, --feature-columns) instead of setting the likelihood");
    }
    return config.tabular();
  }

  /** The name used in configurations ({@code bernoulli}, {@code gaussian}, {@code tabular}). */
  public String configName() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }

  /**
   * Builds the likelihood of {@code columns} input columns, declaring its tensors (if any) in
   * {@code layout}: called after the decoder, so that they follow the decoder's in the layout.
   */
  public abstract Likelihood create(VaeConfig config, int columns, ParamLayout.Builder layout);

  /**
   * Decoder outputs the likelihood reads for {@code columns} columns (one per column for both kinds
   * here; a categorical column would read one per category), known before it is built, since the
   * decoder's tensors come first in the layout.
   */
  public int decoderOutputs(int columns) {
    return columns;
  }

  /** Decoder outputs for a configuration (its inputDim columns, or its tabular schema's). */
  public int decoderOutputs(VaeConfig config) {
    return decoderOutputs(config.inputDim());
  }

  /**
   * The kind of a configuration name.
   *
   * @throws IllegalArgumentException for a name with no likelihood
   */
  public static LikelihoodKind of(String name) {
    for (LikelihoodKind k : values()) {
      if (k.configName().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "likelihood '"
            + name
            + "' is unknown; choose one of "
            + Arrays.stream(values())
                .map(LikelihoodKind::configName)
                .collect(Collectors.joining(", ")));
  }

  /**
   * The configuration name ({@code bernoulli}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
