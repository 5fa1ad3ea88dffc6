package io.sparkvae.spark.ml;

import static io.sparkvae.model.config.ParamSpecs.anyLong;
import static io.sparkvae.model.config.ParamSpecs.intAtLeast;
import static io.sparkvae.model.config.ParamSpecs.matching;

import io.sparkvae.model.config.ParamSchema;
import io.sparkvae.model.config.ParamSpec;
import java.io.Serializable;
import java.util.List;

/**
 * The settings that exist only on the Spark ML stages (the columns read and written, inference
 * batching, the score's noise), declared once like every other hyperparameter: ordinary {@link
 * ParamSpec}s with their doc, default, validator and text form, free to change on a fitted model.
 * The score job reuses {@link #FEATURES_COL}, {@link #INFERENCE_BATCH_SIZE} and {@link
 * #NEG_ELBO_SAMPLES} ({@link ParamSpec#rebind}).
 */
public final class MlSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private String featuresCol;
  private String latentMeanCol;
  private String latentStdCol;
  private String latentSampleCol;
  private String negElboCol;
  private String reconstructionCol;
  private int inferenceBatchSize;
  private int negElboSamples;
  private long scoreSeed;
  private String columnNllCol;
  private String anomalyCol;

  private static final String ANY_COLUMN = "(?s).*";
  private static final String COLUMN_OR_EMPTY = "a column name, or empty";

  /** The input column. */
  public static final ParamSpec<MlSettings, MlSettings, String> FEATURES_COL =
      matching(
          "featuresCol",
          "Input column: ml Vector, array<float> or array<double>, all rows of inputDim values;"
              + " rows with a null value get null outputs.",
          "features",
          "(?s).+",
          "a non-empty column name",
          c -> c.featuresCol,
          (b, v) -> b.featuresCol = v);

  /** Rows per forward pass. */
  public static final ParamSpec<MlSettings, MlSettings, Integer> INFERENCE_BATCH_SIZE =
      intAtLeast(
          "inferenceBatchSize",
          "Rows per native forward pass in transform.",
          1024,
          1,
          c -> c.inferenceBatchSize,
          (b, v) -> b.inferenceBatchSize = v);

  /** z samples of the score. */
  public static final ParamSpec<MlSettings, MlSettings, Integer> NEG_ELBO_SAMPLES =
      intAtLeast(
          "negElboSamples",
          "Samples of z for the negative ELBO column; above 1 it is the importance-weighted bound"
              + " (Burda et al. 2015).",
          1,
          1,
          c -> c.negElboSamples,
          (b, v) -> b.negElboSamples = v);

  public static final ParamSpec<MlSettings, MlSettings, String> LATENT_MEAN_COL =
      matching(
          "latentMeanCol",
          "Output column of the posterior mean E[z|x] (vector of latentDim); empty: not computed.",
          "z_mean",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.latentMeanCol,
          (b, v) -> b.latentMeanCol = v);

  public static final ParamSpec<MlSettings, MlSettings, String> LATENT_STD_COL =
      matching(
          "latentStdCol",
          "Output column of the posterior standard deviation of z|x (vector of latentDim);"
              + " empty: not computed.",
          "z_std",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.latentStdCol,
          (b, v) -> b.latentStdCol = v);

  public static final ParamSpec<MlSettings, MlSettings, String> LATENT_SAMPLE_COL =
      matching(
          "latentSampleCol",
          "Output column of one sample z ~ q(z|x) (vector of latentDim), drawn with scoreSeed;"
              + " empty (the default): not computed.",
          "",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.latentSampleCol,
          (b, v) -> b.latentSampleCol = v);

  public static final ParamSpec<MlSettings, MlSettings, String> NEG_ELBO_COL =
      matching(
          "negElboCol",
          "Output column of the per-row negative ELBO in nats (KL weight 1, the trained KL"
              + " estimator, negElboSamples draws of z), an anomaly score; empty (the default):"
              + " not computed.",
          "",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.negElboCol,
          (b, v) -> b.negElboCol = v);

  public static final ParamSpec<MlSettings, MlSettings, String> RECONSTRUCTION_COL =
      matching(
          "reconstructionCol",
          "Output column of the decoder mean E[x|z] at the posterior mean (vector of inputDim);"
              + " empty (the default): not computed.",
          "",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.reconstructionCol,
          (b, v) -> b.reconstructionCol = v);

  public static final ParamSpec<MlSettings, MlSettings, Long> SCORE_SEED =
      anyLong(
          "scoreSeed",
          "Seed of the noise of the negative ELBO and latent sample columns; with the partition"
              + " index it fixes every draw, so scores are reproducible for a fixed partitioning.",
          0L,
          c -> c.scoreSeed,
          (b, v) -> b.scoreSeed = v);

  public static final ParamSpec<MlSettings, MlSettings, String> COLUMN_NLL_COL =
      matching(
          "columnNllCol",
          "Tabular models: output struct column with one double per model column, its negative"
              + " log-likelihood in nats at the posterior mean (0 for a missing value): what made a row's"
              + " score high. Empty: not computed.",
          "column_nll",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.columnNllCol,
          (b, v) -> b.columnNllCol = v);

  public static final ParamSpec<MlSettings, MlSettings, String> ANOMALY_COL =
      matching(
          "anomalyCol",
          "Models fitted with contamination > 0: output boolean column, negative ELBO above the fitted"
              + " threshold. Empty: not computed.",
          "is_anomaly",
          ANY_COLUMN,
          COLUMN_OR_EMPTY,
          c -> c.anomalyCol,
          (b, v) -> b.anomalyCol = v);

  /** Every Spark-ML-only setting. */
  public static final List<ParamSpec<MlSettings, MlSettings, ?>> PARAMS =
      List.of(
          FEATURES_COL,
          LATENT_MEAN_COL,
          LATENT_STD_COL,
          LATENT_SAMPLE_COL,
          NEG_ELBO_COL,
          RECONSTRUCTION_COL,
          INFERENCE_BATCH_SIZE,
          NEG_ELBO_SAMPLES,
          SCORE_SEED,
          COLUMN_NLL_COL,
          ANOMALY_COL);

  /** The declarations above, with what every config class does with them. */
  public static final ParamSchema<MlSettings, MlSettings> SCHEMA =
      new ParamSchema<>("Spark ML setting", PARAMS);

  private MlSettings() {}
}
