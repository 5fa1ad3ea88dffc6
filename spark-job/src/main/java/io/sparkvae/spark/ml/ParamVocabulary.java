package io.sparkvae.spark.ml;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.RunOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of the SparkVAE stages, by name, from four sources: {@link VaeConfig#PARAMS} (the
 * model and its optimizer), {@link DistributedConfig#PARAMS} (distributed training), {@link
 * RunOptions#PARAMS} (checkpoints, resume, metrics file, report: what the run writes besides the
 * model), {@link TabularSettings#PARAMS} (how tabular input columns are read and fitted) and {@link
 * MlSettings#PARAMS} (the few settings that exist only in Spark ML: column names, inference
 * batching, the score's noise), all {@link ParamSpec}s, one kind of declaration. {@link
 * StageParams} turns each declaration into a Spark {@code Param}; nothing else lists parameters, so
 * a hyperparameter added to {@code VaeConfig} appears on the stages without a code change here.
 */
final class ParamVocabulary {
  private ParamVocabulary() {}

  /** Where a parameter comes from, which decides whether a fitted model lets it change. */
  enum Kind {
    /** A {@link VaeConfig} field: fixed once trained. */
    MODEL,
    /** A {@link DistributedConfig} field: how the model was trained, fixed once trained. */
    DISTRIBUTED,
    /**
     * A {@link RunOptions} field: where the run wrote checkpoints, metrics, report; fixed once
     * trained.
     */
    RUN,
    /**
     * A Spark ML setting (columns, inference), or a {@link DistributedConfig} field that transform
     * applies too ({@link #BAD_ROW_POLICY}): free on the model too.
     */
    INFERENCE
  }

  /**
   * One parameter's declaration, whatever its source. Spark holds each value in its Spark form: the
   * value itself, except that a choice (an enum-typed spec) is its text ({@code "bernoulli"}),
   * since Spark ML's params, their JSON and the Python API know strings, not our enums.
   */
  interface Declaration {
    String name();

    String doc();

    /** The Spark form's type: Integer, Long, Double, Boolean, String or int[]. */
    Class<?> type();

    /** The default, in its Spark form. */
    Object defaultValue();

    Kind kind();

    /** True for a value of exactly {@link #type()} that satisfies the validator. */
    boolean accepts(Object value);

    /**
     * Converts a value given by a user (another number width, text, an enum) into its Spark form
     * and validates it.
     *
     * @throws IllegalArgumentException naming the parameter, the value and what is expected
     */
    Object coerce(Object value);
  }

  /** A declaration: a model-lib {@link ParamSpec} and what a fitted model lets change. */
  private record SpecDeclaration<T>(ParamSpec<?, ?, T> spec, Kind kind) implements Declaration {
    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public String doc() {
      return spec.doc();
    }

    @Override
    public Class<?> type() {
      return spec.paramType().isChoice() ? String.class : spec.type();
    }

    @Override
    public Object defaultValue() {
      return sparkForm(spec, spec.defaultValue());
    }

    @Override
    public boolean accepts(Object value) {
      if (spec.paramType().isChoice()) {
        // Spark calls the validator with the string it holds: valid when it reads as a choice.
        try {
          return value instanceof String s && spec.isValid(spec.coerce(s));
        } catch (IllegalArgumentException notAChoice) {
          return false;
        }
      }
      return spec.type().isInstance(value) && spec.isValid(spec.type().cast(value));
    }

    @Override
    public Object coerce(Object value) {
      return sparkForm(spec, spec.validate(spec.coerce(value)));
    }
  }

  /**
   * A value Spark holds, in its declaration's type: a choice read from its text, an int list
   * copied.
   */
  static <T> T typedForm(ParamSpec<?, ?, T> spec, Object sparkValue) {
    T v = spec.paramType().isChoice() ? spec.coerce(sparkValue) : spec.type().cast(sparkValue);
    return v instanceof int[] a ? spec.type().cast(a.clone()) : v;
  }

  /** A typed value in the form Spark holds: a choice as its text, an int list as a copy. */
  static <T> Object sparkForm(ParamSpec<?, ?, T> spec, T value) {
    if (spec.paramType().isChoice()) {
      return spec.format(value);
    }
    return value instanceof int[] a ? a.clone() : value;
  }

  /** Name of the input column. */
  static final String FEATURES_COL = "featuresCol";

  /** Name of the posterior-mean output column. */
  static final String LATENT_MEAN_COL = "latentMeanCol";

  /** Name of the posterior-std output column. */
  static final String LATENT_STD_COL = "latentStdCol";

  /** Name of the posterior-sample output column. */
  static final String LATENT_SAMPLE_COL = "latentSampleCol";

  /** Name of the negative-ELBO output column. */
  static final String NEG_ELBO_COL = "negElboCol";

  /** Name of the reconstruction output column. */
  static final String RECONSTRUCTION_COL = "reconstructionCol";

  /** Rows per forward pass. */
  static final String INFERENCE_BATCH_SIZE = "inferenceBatchSize";

  /** z samples of the score. */
  static final String NEG_ELBO_SAMPLES = "negElboSamples";

  /** Seed of the score's and the sample's noise. */
  static final String SCORE_SEED = "scoreSeed";

  /**
   * What to do with unusable rows: declared once in {@link DistributedConfig#PARAMS}, applied by
   * training and by transform alike, so it stays settable on a fitted model.
   */
  static final String BAD_ROW_POLICY = "badRowPolicy";

  /** Tabular input columns, comma-separated. */
  static final String INPUT_COLS = "inputCols";

  /** Kind overrides of tabular columns. */
  static final String COLUMN_KINDS = "columnKinds";

  /** Hour-of-day and day-of-week features of timestamp input columns. */
  static final String TIMESTAMP_FEATURES = "timestampFeatures";

  /** Integer columns with at most this many distinct values are categorical. */
  static final String CATEGORICAL_MAX_LEVELS = "categoricalMaxLevels";

  /** Vocabulary size cap of a categorical column. */
  static final String MAX_CATEGORIES = "maxCategories";

  /** Expected fraction of anomalies in the training data, for the anomaly threshold. */
  static final String CONTAMINATION = "contamination";

  /** Output column of the per-column negative log-likelihoods of a tabular model. */
  static final String COLUMN_NLL_COL = "columnNllCol";

  /** Output column of the anomaly flag. */
  static final String ANOMALY_COL = "anomalyCol";

  /** The one {@link VaeConfig} parameter that {@code fit} takes from the data. */
  static final String INPUT_DIM = "inputDim";

  private static final Map<String, Declaration> ALL = build();

  private static Map<String, Declaration> build() {
    Map<String, Declaration> m = new LinkedHashMap<>();
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> s : VaeConfig.PARAMS) {
      add(m, new SpecDeclaration<>(s, Kind.MODEL));
    }
    for (ParamSpec<DistributedConfig, DistributedConfig.Builder, ?> s : DistributedConfig.PARAMS) {
      add(
          m,
          new SpecDeclaration<>(
              s, s.name().equals(BAD_ROW_POLICY) ? Kind.INFERENCE : Kind.DISTRIBUTED));
    }
    for (ParamSpec<MlSettings, MlSettings, ?> s : MlSettings.PARAMS) {
      add(m, new SpecDeclaration<>(s, Kind.INFERENCE));
    }
    for (ParamSpec<RunOptions, RunOptions.Builder, ?> s : RunOptions.PARAMS) {
      add(m, new SpecDeclaration<>(s, Kind.RUN));
    }
    for (ParamSpec<TabularSettings, TabularSettings, ?> s : TabularSettings.PARAMS) {
      add(m, new SpecDeclaration<>(s, Kind.DISTRIBUTED));
    }
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Declaration> m, Declaration d) {
    // Spark identifies a param by name: two sources declaring the same name would silently share
    // one.
    if (m.putIfAbsent(d.name(), d) != null) {
      throw new IllegalStateException("parameter " + d.name() + " is declared twice");
    }
  }

  /** Every declaration: VaeConfig's, DistributedConfig's, the Spark ML ones, then RunOptions'. */
  static Iterable<Declaration> all() {
    return ALL.values();
  }

  /**
   * The declaration called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown parameter
   */
  static Declaration get(String name) {
    Declaration d = ALL.get(name);
    if (d == null) {
      throw new IllegalArgumentException(
          "unknown parameter '" + name + "'; parameters are: " + String.join(", ", ALL.keySet()));
    }
    return d;
  }
}
