package io.sparkvae.spark.ml;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.spark.train.DistributedConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every parameter of the SparkVAE stages, by name, from three sources: {@link VaeConfig#PARAMS}
 * (the model and its optimizer), {@link DistributedConfig#PARAMS} (distributed training) and the
 * few settings that exist only in Spark ML (column names, inference batching, the score's noise),
 * declared here once. {@link StageParams} turns each declaration into a Spark {@code Param}; nothing
 * else lists parameters, so a hyperparameter added to {@code VaeConfig} appears on the stages
 * without a code change here.
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
     * A Spark ML setting (columns, inference), or a {@link DistributedConfig} field that transform
     * applies too ({@link #BAD_ROW_POLICY}): free on the model too.
     */
    INFERENCE
  }

  /** One parameter's declaration, whatever its source. */
  interface Declaration {
    String name();

    String doc();

    /** Integer, Long, Double, String or int[]. */
    Class<?> type();

    Object defaultValue();

    Kind kind();

    /** True for a value of exactly {@link #type()} that satisfies the validator. */
    boolean accepts(Object value);

    /**
     * Converts a value given by a user (another number width, text) into {@link #type()} and
     * validates it.
     *
     * @throws IllegalArgumentException naming the parameter, the value and what is expected
     */
    Object coerce(Object value);
  }

  /** A declaration backed by a model-lib {@link ParamSpec}. */
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
      return spec.type();
    }

    @Override
    public Object defaultValue() {
      T v = spec.defaultValue();
      return v instanceof int[] a ? a.clone() : v;
    }

    @Override
    public boolean accepts(Object value) {
      return spec.type().isInstance(value) && spec.isValid(spec.type().cast(value));
    }

    @Override
    public Object coerce(Object value) {
      return spec.validate(spec.coerce(value));
    }
  }

  /** A Spark-ML-only setting. */
  private record MlDeclaration(
      String name, String doc, Class<?> type, Object defaultValue, String constraint, Predicate<Object> valid,
      Kind kind)
      implements Declaration {
    MlDeclaration {
      if (!accepts(defaultValue, type, valid)) {
        throw new IllegalStateException("the default of " + name + " is invalid: " + defaultValue);
      }
    }

    /** A setting free on the fitted model too (columns, inference). */
    MlDeclaration(
        String name, String doc, Class<?> type, Object defaultValue, String constraint, Predicate<Object> valid) {
      this(name, doc, type, defaultValue, constraint, valid, Kind.INFERENCE);
    }

    @Override
    public boolean accepts(Object value) {
      return accepts(value, type, valid);
    }

    private static boolean accepts(Object value, Class<?> type, Predicate<Object> valid) {
      return type.isInstance(value) && valid.test(value);
    }

    @Override
    public Object coerce(Object value) {
      Object v = value;
      if (v instanceof String s && type != String.class) {
        try {
          v = type == Integer.class ? (Object) Integer.valueOf(s.trim())
              : type == Double.class ? (Object) Double.valueOf(s.trim()) : (Object) Long.valueOf(s.trim());
        } catch (NumberFormatException e) {
          throw invalid(value);
        }
      } else if (v instanceof Number n && type == Double.class) {
        v = n.doubleValue();
      } else if (v instanceof Number n && !type.isInstance(v) && n.doubleValue() == Math.rint(n.doubleValue())) {
        if (type == Integer.class && n.longValue() == n.intValue()) {
          v = n.intValue();
        } else if (type == Long.class) {
          v = n.longValue();
        }
      }
      if (!accepts(v)) {
        throw invalid(value);
      }
      return v;
    }

    private IllegalArgumentException invalid(Object value) {
      return new IllegalArgumentException(
          "invalid value for " + name + ": " + (value instanceof String ? "'" + value + "'" : value)
              + " (expected " + constraint + ")");
    }
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

  private static final Predicate<Object> ANY = v -> true;

  private static final List<Declaration> ML =
      List.of(
          new MlDeclaration(
              FEATURES_COL,
              "Input column: ml Vector, array<float> or array<double>, all rows of inputDim values;"
                  + " rows with a null value get null outputs.",
              String.class,
              "features",
              "a non-empty column name",
              v -> !((String) v).isEmpty()),
          new MlDeclaration(
              LATENT_MEAN_COL,
              "Output column of the posterior mean E[z|x] (vector of latentDim); empty: not computed.",
              String.class,
              "z_mean",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              LATENT_STD_COL,
              "Output column of the posterior standard deviation of z|x (vector of latentDim);"
                  + " empty: not computed.",
              String.class,
              "z_std",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              LATENT_SAMPLE_COL,
              "Output column of one sample z ~ q(z|x) (vector of latentDim), drawn with scoreSeed;"
                  + " empty (the default): not computed.",
              String.class,
              "",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              NEG_ELBO_COL,
              "Output column of the per-row negative ELBO in nats (KL weight 1, the trained KL"
                  + " estimator, negElboSamples draws of z), an anomaly score; empty (the default):"
                  + " not computed.",
              String.class,
              "",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              RECONSTRUCTION_COL,
              "Output column of the decoder mean E[x|z] at the posterior mean (vector of inputDim);"
                  + " empty (the default): not computed.",
              String.class,
              "",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              INFERENCE_BATCH_SIZE,
              "Rows per native forward pass in transform.",
              Integer.class,
              1024,
              ">= 1",
              v -> (Integer) v >= 1),
          new MlDeclaration(
              NEG_ELBO_SAMPLES,
              "Samples of z for the negative ELBO column; above 1 it is the importance-weighted bound"
                  + " (Burda et al. 2015).",
              Integer.class,
              1,
              ">= 1",
              v -> (Integer) v >= 1),
          new MlDeclaration(
              SCORE_SEED,
              "Seed of the noise of the negative ELBO and latent sample columns; with the partition"
                  + " index it fixes every draw, so scores are reproducible for a fixed partitioning.",
              Long.class,
              0L,
              "a 64-bit integer",
              ANY),
          new MlDeclaration(
              INPUT_COLS,
              "Tabular input: comma-separated column names (strings, integers, floating point, booleans,"
                  + " timestamps) modelled with per-column likelihoods (numeric: Gaussian on the standardised"
                  + " signed-log value; categorical: softmax; binary: Bernoulli; count: Poisson); nulls and NaN"
                  + " are masked. Empty (the default): featuresCol is read instead.",
              String.class,
              "",
              "column names separated by commas, or empty",
              ANY,
              Kind.DISTRIBUTED),
          new MlDeclaration(
              COLUMN_KINDS,
              "Tabular input: kind overrides, 'column:kind,...' with kinds numeric, categorical, binary, count;"
                  + " unlisted columns are inferred (strings: categorical; integers: {0,1} binary, at most"
                  + " categoricalMaxLevels values categorical, non-negative count, else numeric; floating point:"
                  + " numeric).",
              String.class,
              "",
              "column:kind entries separated by commas, or empty",
              ANY,
              Kind.DISTRIBUTED),
          new MlDeclaration(
              TIMESTAMP_FEATURES,
              "Tabular input: 'true' models a timestamp column as two categorical columns, <col>_hour (hour of"
                  + " day) and <col>_dow (day of week); 'false' refuses timestamp columns.",
              String.class,
              "false",
              "true or false",
              v -> v.equals("true") || v.equals("false"),
              Kind.DISTRIBUTED),
          new MlDeclaration(
              CATEGORICAL_MAX_LEVELS,
              "Tabular input: integer columns with at most this many distinct values are categorical.",
              Integer.class,
              20,
              ">= 2",
              v -> (Integer) v >= 2,
              Kind.DISTRIBUTED),
          new MlDeclaration(
              MAX_CATEGORIES,
              "Tabular input: a categorical column keeps its most frequent values up to this many; the rest,"
                  + " and values unseen in training, share one 'unknown' entry.",
              Integer.class,
              1000,
              ">= 1",
              v -> (Integer) v >= 1,
              Kind.DISTRIBUTED),
          new MlDeclaration(
              CONTAMINATION,
              "Expected fraction of anomalies in the training data: above 0, fit scores the training rows and"
                  + " keeps the (1 - contamination) quantile of their negative ELBO as the threshold of anomalyCol.",
              Double.class,
              0.0,
              "in [0, 0.5)",
              v -> (Double) v >= 0 && (Double) v < 0.5,
              Kind.DISTRIBUTED),
          new MlDeclaration(
              COLUMN_NLL_COL,
              "Tabular models: output struct column with one double per model column, its negative"
                  + " log-likelihood in nats at the posterior mean (0 for a missing value): what made a row's"
                  + " score high. Empty: not computed.",
              String.class,
              "column_nll",
              "a column name, or empty",
              ANY),
          new MlDeclaration(
              ANOMALY_COL,
              "Models fitted with contamination > 0: output boolean column, negative ELBO above the fitted"
                  + " threshold. Empty: not computed.",
              String.class,
              "is_anomaly",
              "a column name, or empty",
              ANY));

  private static final Map<String, Declaration> ALL = build();

  private static Map<String, Declaration> build() {
    Map<String, Declaration> m = new LinkedHashMap<>();
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> s : VaeConfig.PARAMS) {
      add(m, new SpecDeclaration<>(s, Kind.MODEL));
    }
    for (ParamSpec<DistributedConfig, DistributedConfig.Builder, ?> s : DistributedConfig.PARAMS) {
      add(m, new SpecDeclaration<>(s, s.name().equals(BAD_ROW_POLICY) ? Kind.INFERENCE : Kind.DISTRIBUTED));
    }
    for (Declaration d : ML) {
      add(m, d);
    }
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, Declaration> m, Declaration d) {
    // Spark identifies a param by name: two sources declaring the same name would silently share one.
    if (m.putIfAbsent(d.name(), d) != null) {
      throw new IllegalStateException("parameter " + d.name() + " is declared twice");
    }
  }

  /** Every declaration: VaeConfig's, then DistributedConfig's, then the Spark ML ones. */
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
