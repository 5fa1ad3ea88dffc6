package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.StageParams.value;

import io.sparkvae.model.averaging.OuterOptimizerKind;
import io.sparkvae.model.config.VaeConfigParams;
import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.HiddenActivation;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.spark.train.AdamState;
import io.sparkvae.spark.train.BadRowPolicy;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.OnDivergence;
import io.sparkvae.spark.train.RunOptions;
import io.sparkvae.spark.train.ScaleOut;
import org.apache.spark.ml.param.Params;

/**
 * The parameters shared by {@link VaeEstimator} and {@link VaeModel} (a variational autoencoder,
 * Kingma &amp; Welling 2013, "Auto-Encoding Variational Bayes"), with a getter for each, typed by
 * its declaration ({@code value(this, spec)} returns the spec's type; a choice, held by Spark as
 * its text, comes back as its enum).
 *
 * <p>There is one Spark {@code Param} per entry of {@link
 * io.sparkvae.model.config.VaeConfig#PARAMS} (architecture, likelihood, ELBO estimator, Adam), per
 * entry of {@link io.sparkvae.spark.train.DistributedConfig#PARAMS} (epochs, replicas, averaging),
 * and for the Spark ML settings below; name, doc, default and validator come from those
 * declarations. Invalid values are refused when set, with the parameter's name in the message.
 *
 * <p>Columns: {@code featuresCol} (default {@code "features"}) is read; {@code latentMeanCol}
 * ({@code "z_mean"}) and {@code latentStdCol} ({@code "z_std"}) are written by default; {@code
 * latentSampleCol}, {@code negElboCol} and {@code reconstructionCol} are off (empty) by default. An
 * empty output column name means "do not compute this output".
 */
public interface VaeParams extends Params {
  // ---- columns and inference

  /**
   * Input column (vector, array&lt;float&gt; or array&lt;double&gt;); default {@code "features"}.
   */
  default String getFeaturesCol() {
    return value(this, MlSettings.FEATURES_COL);
  }

  /** Output column of E[z|x], a vector of latentDim; default {@code "z_mean"}, empty: off. */
  default String getLatentMeanCol() {
    return value(this, MlSettings.LATENT_MEAN_COL);
  }

  /** Output column of the posterior std of z|x, a vector of latentDim; default {@code "z_std"}. */
  default String getLatentStdCol() {
    return value(this, MlSettings.LATENT_STD_COL);
  }

  /** Output column of one draw z ~ q(z|x); default empty (off). */
  default String getLatentSampleCol() {
    return value(this, MlSettings.LATENT_SAMPLE_COL);
  }

  /** Output column of the per-row negative ELBO in nats (double); default empty (off). */
  default String getNegElboCol() {
    return value(this, MlSettings.NEG_ELBO_COL);
  }

  /** Output column of the decoder mean at the posterior mean, a vector of inputDim; default off. */
  default String getReconstructionCol() {
    return value(this, MlSettings.RECONSTRUCTION_COL);
  }

  /** Rows per native forward pass in transform; default 1024. */
  default int getInferenceBatchSize() {
    return value(this, MlSettings.INFERENCE_BATCH_SIZE);
  }

  /** Samples of z for the negative ELBO column (above 1: importance-weighted bound); default 1. */
  default int getNegElboSamples() {
    return value(this, MlSettings.NEG_ELBO_SAMPLES);
  }

  /** Seed of the noise of the negative ELBO and latent sample columns; default 0. */
  default long getScoreSeed() {
    return value(this, MlSettings.SCORE_SEED);
  }

  // ---- tabular input and anomaly flags

  /** Tabular input columns, comma-separated; default empty (featuresCol is read). */
  default String getInputCols() {
    return value(this, TabularSettings.INPUT_COLS);
  }

  /** Kind overrides of tabular columns, "column:kind,..."; default empty. */
  default String getColumnKinds() {
    return value(this, TabularSettings.COLUMN_KINDS);
  }

  /** "true": timestamps become hour-of-day and day-of-week columns; default "false". */
  default boolean getTimestampFeatures() {
    return value(this, TabularSettings.TIMESTAMP_FEATURES);
  }

  /** Integer columns with at most this many distinct values are categorical; default 20. */
  default int getCategoricalMaxLevels() {
    return value(this, TabularSettings.CATEGORICAL_MAX_LEVELS);
  }

  /** Vocabulary cap of a categorical column; default 1000. */
  default int getMaxCategories() {
    return value(this, TabularSettings.MAX_CATEGORIES);
  }

  /** Expected anomaly fraction of the training data (0: no threshold); default 0. */
  default double getContamination() {
    return value(this, TabularSettings.CONTAMINATION);
  }

  /**
   * Output struct column of per-column negative log-likelihoods (tabular); default "column_nll".
   */
  default String getColumnNllCol() {
    return value(this, MlSettings.COLUMN_NLL_COL);
  }

  /** Output boolean column of the anomaly flag (with a fitted threshold); default "is_anomaly". */
  default String getAnomalyCol() {
    return value(this, MlSettings.ANOMALY_COL);
  }

  // ---- VaeConfig

  /** Number of input features; on the estimator it is taken from the data by fit. */
  default int getInputDim() {
    return value(this, VaeConfigParams.INPUT_DIM);
  }

  /** Encoder hidden layer sizes, input side first (a copy). */
  default int[] getEncoderHidden() {
    return value(this, VaeConfigParams.ENCODER_HIDDEN);
  }

  /** Decoder hidden layer sizes, latent side first (a copy). */
  default int[] getDecoderHidden() {
    return value(this, VaeConfigParams.DECODER_HIDDEN);
  }

  /** Dimension of z. */
  default int getLatentDim() {
    return value(this, VaeConfigParams.LATENT_DIM);
  }

  /** Hidden non-linearity: softplus, relu or tanh. */
  default HiddenActivation getActivation() {
    return value(this, VaeConfigParams.ACTIVATION);
  }

  /** Observation model: bernoulli or gaussian. */
  default LikelihoodKind getLikelihood() {
    return value(this, VaeConfigParams.LIKELIHOOD);
  }

  /** Gaussian likelihood: learned or fixed observation std. */
  default GaussianVariance getGaussianVariance() {
    return value(this, VaeConfigParams.GAUSSIAN_VARIANCE);
  }

  /** Gaussian likelihood with fixed variance: the observation std. */
  default double getGaussianFixedStd() {
    return value(this, VaeConfigParams.GAUSSIAN_FIXED_STD);
  }

  /** KL estimator: mc or analytic. */
  default KlEstimator getKlEstimator() {
    return value(this, VaeConfigParams.KL_ESTIMATOR);
  }

  /** Samples of z per example in training. */
  default int getElboSamples() {
    return value(this, VaeConfigParams.ELBO_SAMPLES);
  }

  /** Weight of the KL term in training. */
  default double getBeta() {
    return value(this, VaeConfigParams.BETA);
  }

  /** KL warm-up length in optimizer steps. */
  default long getKlWarmupSteps() {
    return value(this, VaeConfigParams.KL_WARMUP_STEPS);
  }

  /** Adam learning rate. */
  default double getLearningRate() {
    return value(this, VaeConfigParams.LEARNING_RATE);
  }

  /** Adam beta1. */
  default double getAdamBeta1() {
    return value(this, VaeConfigParams.ADAM_BETA1);
  }

  /** Adam beta2. */
  default double getAdamBeta2() {
    return value(this, VaeConfigParams.ADAM_BETA2);
  }

  /** Adam epsilon. */
  default double getAdamEps() {
    return value(this, VaeConfigParams.ADAM_EPS);
  }

  /** Examples per minibatch. */
  default int getBatchSize() {
    return value(this, VaeConfigParams.BATCH_SIZE);
  }

  /** Seed of initialization, shuffling and the training noise. */
  default long getSeed() {
    return value(this, VaeConfigParams.SEED);
  }

  // ---- DistributedConfig

  /** Passes over the training data. */
  default int getEpochs() {
    return value(this, DistributedConfig.EPOCHS);
  }

  /** Model replicas (0: spark.default.parallelism). */
  default int getReplicas() {
    return value(this, DistributedConfig.REPLICAS);
  }

  /** Local steps between two parameter averagings. */
  default int getAveragingSteps() {
    return value(this, DistributedConfig.AVERAGING_STEPS);
  }

  /** How replicas share the work (auto: the global minibatch stays batchSize; off). */
  default ScaleOut getScaleOut() {
    return value(this, DistributedConfig.SCALE_OUT);
  }

  /** Examples per local step of each replica (0: derived). */
  default int getReplicaBatchSize() {
    return value(this, DistributedConfig.REPLICA_BATCH_SIZE);
  }

  /** Learning-rate warm-up rounds (-1: derived). */
  default int getWarmupRounds() {
    return value(this, DistributedConfig.WARMUP_ROUNDS);
  }

  /** Adam moments: averaged or local. */
  default AdamState getAdamState() {
    return value(this, DistributedConfig.ADAM_STATE);
  }

  /** Steps of the next round each replica runs ahead while the driver averages (0: none). */
  default int getOverlapSteps() {
    return value(this, DistributedConfig.OVERLAP_STEPS);
  }

  /** Outer optimizer: none or nesterov. */
  default OuterOptimizerKind getOuterOptimizer() {
    return value(this, DistributedConfig.OUTER_OPTIMIZER);
  }

  /** Outer optimizer step size. */
  default double getOuterLearningRate() {
    return value(this, DistributedConfig.OUTER_LEARNING_RATE);
  }

  /** Outer (block) momentum. */
  default double getOuterMomentum() {
    return value(this, DistributedConfig.OUTER_MOMENTUM);
  }

  /** Fraction held out for validation during training. */
  default double getValidationFraction() {
    return value(this, DistributedConfig.VALIDATION_FRACTION);
  }

  /** Rows per forward pass in the validation during training. */
  default int getEvalBatchSize() {
    return value(this, DistributedConfig.EVAL_BATCH_SIZE);
  }

  /**
   * What training and transform do with unusable input rows (wrong size, NaN/Inf, outside [0, 1]
   * under the Bernoulli likelihood): fail, or skip (left out of training; null outputs in
   * transform). The one training setting a fitted model lets change. Default fail.
   */
  default BadRowPolicy getBadRowPolicy() {
    return value(this, DistributedConfig.BAD_ROW_POLICY);
  }

  /** On a NaN or infinite loss or parameter: fail or rollback. */
  default OnDivergence getDivergencePolicy() {
    return value(this, DistributedConfig.DIVERGENCE_POLICY);
  }

  /** Rollbacks allowed over a run with divergencePolicy=rollback. */
  default int getMaxRollbacks() {
    return value(this, DistributedConfig.MAX_ROLLBACKS);
  }

  // ---- RunOptions (what fit writes besides the model; all off by default)

  /** Folder for training checkpoints (Hadoop path); empty: none. */
  default String getCheckpointDir() {
    return value(this, RunOptions.CHECKPOINT_DIR);
  }

  /** Whether fit continues from the newest valid checkpoint in checkpointDir. */
  default boolean getResume() {
    return value(this, RunOptions.RESUME);
  }

  /** Whether a new run may start in a checkpointDir that holds another run's checkpoints. */
  default boolean getShareCheckpointDir() {
    return value(this, RunOptions.SHARE_CHECKPOINT_DIR);
  }

  /** Rounds between checkpoints inside an epoch (0: at epoch ends only). */
  default int getCheckpointEveryRounds() {
    return value(this, RunOptions.CHECKPOINT_EVERY_ROUNDS);
  }

  /** Newest checkpoints kept. */
  default int getCheckpointsKept() {
    return value(this, RunOptions.CHECKPOINTS_KEPT);
  }

  /** Metrics file, one JSON object per epoch; empty: none. */
  default String getMetricsOut() {
    return value(this, RunOptions.METRICS_OUT);
  }

  /** Local folder of the training report; empty: none. */
  default String getReportDir() {
    return value(this, RunOptions.REPORT_DIR);
  }

  /** Whether a previous SparkVAE report at reportDir may be replaced. */
  default boolean getOverwrite() {
    return value(this, RunOptions.OVERWRITE);
  }

  /** The features as images in the report: WIDTHxHEIGHT, auto or none. */
  default String getImageSize() {
    return value(this, RunOptions.IMAGE_SIZE);
  }

  /** Validation rows (at most) pictured in the report. */
  default int getReportRows() {
    return value(this, RunOptions.REPORT_ROWS);
  }
}
