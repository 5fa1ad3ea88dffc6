package io.sparkvae.spark.ml;

import static io.sparkvae.model.config.ParamSpecs.bool;
import static io.sparkvae.model.config.ParamSpecs.doubleIn;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;
import static io.sparkvae.model.config.ParamSpecs.matching;

import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import java.io.Serializable;
import java.util.List;

/**
 * How the estimator reads and fits tabular input columns ({@code io.sparkvae.model.tabular}),
 * declared once like every other hyperparameter: fixed once a model is fitted (the fitted schema,
 * vocabularies and threshold live in the model). The output columns of tabular models are {@link
 * MlSettings}, free on the model.
 */
public final class TabularSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private String inputCols;
  private String columnKinds;
  private boolean timestampFeatures;
  private int categoricalMaxLevels;
  private int maxCategories;
  private double contamination;

  private static final String ANY = "(?s).*";

  public static final ParamSpec<TabularSettings, TabularSettings, String> INPUT_COLS =
      matching(
          "inputCols",
          "Tabular input: comma-separated column names (strings, integers, floating point, booleans,"
              + " timestamps) modelled with per-column likelihoods (numeric: Gaussian on the standardised"
              + " signed-log value; categorical: softmax; binary: Bernoulli; count: Poisson); nulls and NaN"
              + " are masked. Empty (the default): featuresCol is read instead.",
          "",
          ANY,
          "column names separated by commas, or empty",
          c -> c.inputCols,
          (b, v) -> b.inputCols = v);

  public static final ParamSpec<TabularSettings, TabularSettings, String> COLUMN_KINDS =
      matching(
          "columnKinds",
          "Tabular input: kind overrides, 'column:kind,...' with kinds numeric, categorical, binary, count;"
              + " unlisted columns are inferred (strings: categorical; integers: {0,1} binary, at most"
              + " categoricalMaxLevels values categorical, non-negative count (numeric when the variance exceeds"
              + " 10 times the mean), else numeric; floating point: numeric).",
          "",
          ANY,
          "column:kind entries separated by commas, or empty",
          c -> c.columnKinds,
          (b, v) -> b.columnKinds = v);

  public static final ParamSpec<TabularSettings, TabularSettings, Boolean> TIMESTAMP_FEATURES =
      bool(
          "timestampFeatures",
          "Tabular input: true models a timestamp column as two categorical columns, <col>_hour (hour of"
              + " day) and <col>_dow (day of week); false refuses timestamp columns.",
          false,
          c -> c.timestampFeatures,
          (b, v) -> b.timestampFeatures = v);

  public static final ParamSpec<TabularSettings, TabularSettings, Integer> CATEGORICAL_MAX_LEVELS =
      intAtLeast(
          "categoricalMaxLevels",
          "Tabular input: integer columns with at most this many distinct values are categorical.",
          20,
          2,
          c -> c.categoricalMaxLevels,
          (b, v) -> b.categoricalMaxLevels = v);

  public static final ParamSpec<TabularSettings, TabularSettings, Integer> MAX_CATEGORIES =
      intAtLeast(
          "maxCategories",
          "Tabular input: a categorical column keeps its most frequent values up to this many; the rest,"
              + " and values unseen in training, share one 'unknown' entry.",
          1000,
          1,
          c -> c.maxCategories,
          (b, v) -> b.maxCategories = v);

  public static final ParamSpec<TabularSettings, TabularSettings, Double> CONTAMINATION =
      doubleIn(
          "contamination",
          "Expected fraction of anomalies in the training data: above 0, fit scores the training rows and"
              + " keeps the (1 - contamination) quantile of their negative ELBO as the threshold of anomalyCol.",
          0.0,
          0,
          true,
          0.5,
          false,
          c -> c.contamination,
          (b, v) -> b.contamination = v);

  /** Every tabular setting. */
  public static final List<ParamSpec<TabularSettings, TabularSettings, ?>> PARAMS =
      List.of(
          INPUT_COLS,
          COLUMN_KINDS,
          TIMESTAMP_FEATURES,
          CATEGORICAL_MAX_LEVELS,
          MAX_CATEGORIES,
          CONTAMINATION);

  /** The declarations above, with what every config class does with them. */
  public static final ParamSchema<TabularSettings, TabularSettings> SCHEMA =
      new ParamSchema<>("tabular setting", PARAMS);

  private TabularSettings() {}

  /** Settings at their defaults, for the command line to fill. */
  public static TabularSettings defaults() {
    TabularSettings t = new TabularSettings();
    SCHEMA.setDefaults(t);
    return t;
  }
}
