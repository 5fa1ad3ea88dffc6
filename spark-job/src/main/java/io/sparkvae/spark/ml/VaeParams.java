package io.sparkvae.spark.ml;

import static io.sparkvae.spark.ml.StageParams.value;

import org.apache.spark.ml.param.Params;

/**
 * The parameters shared by {@link VaeEstimator} and {@link VaeModel} (a variational autoencoder,
 * Kingma &amp; Welling 2013, "Auto-Encoding Variational Bayes"), with a typed getter for each.
 *
 * <p>There is one Spark {@code Param} per entry of {@link io.sparkvae.model.config.VaeConfig#PARAMS}
 * (architecture, likelihood, ELBO estimator, Adam), per entry of {@link
 * io.sparkvae.spark.train.DistributedConfig#PARAMS} (epochs, replicas, averaging), and for the
 * Spark ML settings below; name, doc, default and validator come from those declarations. Invalid
 * values are refused when set, with the parameter's name in the message.
 *
 * <p>Columns: {@code featuresCol} (default {@code "features"}) is read; {@code latentMeanCol}
 * ({@code "z_mean"}) and {@code latentStdCol} ({@code "z_std"}) are written by default; {@code
 * latentSampleCol}, {@code negElboCol} and {@code reconstructionCol} are off (empty) by default. An
 * empty output column name means "do not compute this output".
 */
public interface VaeParams extends Params {
  // ---- columns and inference

  /** Input column (vector, array&lt;float&gt; or array&lt;double&gt;); default {@code "features"}. */
  default String getFeaturesCol() {
    return (String) value(this, ParamVocabulary.FEATURES_COL);
  }

  /** Output column of E[z|x], a vector of latentDim; default {@code "z_mean"}, empty: off. */
  default String getLatentMeanCol() {
    return (String) value(this, ParamVocabulary.LATENT_MEAN_COL);
  }

  /** Output column of the posterior std of z|x, a vector of latentDim; default {@code "z_std"}. */
  default String getLatentStdCol() {
    return (String) value(this, ParamVocabulary.LATENT_STD_COL);
  }

  /** Output column of one draw z ~ q(z|x); default empty (off). */
  default String getLatentSampleCol() {
    return (String) value(this, ParamVocabulary.LATENT_SAMPLE_COL);
  }

  /** Output column of the per-row negative ELBO in nats (double); default empty (off). */
  default String getNegElboCol() {
    return (String) value(this, ParamVocabulary.NEG_ELBO_COL);
  }

  /** Output column of the decoder mean at the posterior mean, a vector of inputDim; default off. */
  default String getReconstructionCol() {
    return (String) value(this, ParamVocabulary.RECONSTRUCTION_COL);
  }

  /** Rows per native forward pass in transform; default 1024. */
  default int getInferenceBatchSize() {
    return (Integer) value(this, ParamVocabulary.INFERENCE_BATCH_SIZE);
  }

  /** Samples of z for the negative ELBO column (above 1: importance-weighted bound); default 1. */
  default int getNegElboSamples() {
    return (Integer) value(this, ParamVocabulary.NEG_ELBO_SAMPLES);
  }

  /** Seed of the noise of the negative ELBO and latent sample columns; default 0. */
  default long getScoreSeed() {
    return (Long) value(this, ParamVocabulary.SCORE_SEED);
  }

  // ---- tabular input and anomaly flags

  /** Tabular input columns, comma-separated; default empty (featuresCol is read). */
  default String getInputCols() {
    return (String) value(this, ParamVocabulary.INPUT_COLS);
  }

  /** Kind overrides of tabular columns, "column:kind,..."; default empty. */
  default String getColumnKinds() {
    return (String) value(this, ParamVocabulary.COLUMN_KINDS);
  }

  /** "true": timestamps become hour-of-day and day-of-week columns; default "false". */
  default boolean getTimestampFeatures() {
    return (Boolean) value(this, ParamVocabulary.TIMESTAMP_FEATURES);
  }

  /** Integer columns with at most this many distinct values are categorical; default 20. */
  default int getCategoricalMaxLevels() {
    return (Integer) value(this, ParamVocabulary.CATEGORICAL_MAX_LEVELS);
  }

  /** Vocabulary cap of a categorical column; default 1000. */
  default int getMaxCategories() {
    return (Integer) value(this, ParamVocabulary.MAX_CATEGORIES);
  }

  /** Expected anomaly fraction of the training data (0: no threshold); default 0. */
  default double getContamination() {
    return (Double) value(this, ParamVocabulary.CONTAMINATION);
  }

  /** Output struct column of per-column negative log-likelihoods (tabular); default "column_nll". */
  default String getColumnNllCol() {
    return (String) value(this, ParamVocabulary.COLUMN_NLL_COL);
  }

  /** Output boolean column of the anomaly flag (with a fitted threshold); default "is_anomaly". */
  default String getAnomalyCol() {
    return (String) value(this, ParamVocabulary.ANOMALY_COL);
  }

  // ---- VaeConfig

  /** Number of input features; on the estimator it is taken from the data by fit. */
  default int getInputDim() {
    return (Integer) value(this, "inputDim");
  }

  /** Encoder hidden layer sizes, input side first (a copy). */
  default int[] getEncoderHidden() {
    return ((int[]) value(this, "encoderHidden")).clone();
  }

  /** Decoder hidden layer sizes, latent side first (a copy). */
  default int[] getDecoderHidden() {
    return ((int[]) value(this, "decoderHidden")).clone();
  }

  /** Dimension of z. */
  default int getLatentDim() {
    return (Integer) value(this, "latentDim");
  }

  /** Hidden non-linearity: softplus, relu or tanh. */
  default String getActivation() {
    return (String) value(this, "activation");
  }

  /** Observation model: bernoulli or gaussian. */
  default String getLikelihood() {
    return (String) value(this, "likelihood");
  }

  /** Gaussian likelihood: learned or fixed observation std. */
  default String getGaussianVariance() {
    return (String) value(this, "gaussianVariance");
  }

  /** Gaussian likelihood with fixed variance: the observation std. */
  default double getGaussianFixedStd() {
    return (Double) value(this, "gaussianFixedStd");
  }

  /** KL estimator: mc or analytic. */
  default String getKlEstimator() {
    return (String) value(this, "klEstimator");
  }

  /** Samples of z per example in training. */
  default int getElboSamples() {
    return (Integer) value(this, "elboSamples");
  }

  /** Weight of the KL term in training. */
  default double getBeta() {
    return (Double) value(this, "beta");
  }

  /** KL warm-up length in optimizer steps. */
  default long getKlWarmupSteps() {
    return (Long) value(this, "klWarmupSteps");
  }

  /** Adam learning rate. */
  default double getLearningRate() {
    return (Double) value(this, "learningRate");
  }

  /** Adam beta1. */
  default double getAdamBeta1() {
    return (Double) value(this, "adamBeta1");
  }

  /** Adam beta2. */
  default double getAdamBeta2() {
    return (Double) value(this, "adamBeta2");
  }

  /** Adam epsilon. */
  default double getAdamEps() {
    return (Double) value(this, "adamEps");
  }

  /** Examples per minibatch. */
  default int getBatchSize() {
    return (Integer) value(this, "batchSize");
  }

  /** Seed of initialization, shuffling and the training noise. */
  default long getSeed() {
    return (Long) value(this, "seed");
  }

  // ---- DistributedConfig

  /** Passes over the training data. */
  default int getEpochs() {
    return (Integer) value(this, "epochs");
  }

  /** Model replicas (0: spark.default.parallelism). */
  default int getReplicas() {
    return (Integer) value(this, "replicas");
  }

  /** Local steps between two parameter averagings. */
  default int getAveragingSteps() {
    return (Integer) value(this, "averagingSteps");
  }

  /** How replicas share the work (auto: the global minibatch stays batchSize; off). */
  default String getScaleOut() {
    return (String) value(this, "scaleOut");
  }

  /** Examples per local step of each replica (0: derived). */
  default int getReplicaBatchSize() {
    return (Integer) value(this, "replicaBatchSize");
  }

  /** Learning-rate warm-up rounds (-1: derived). */
  default int getWarmupRounds() {
    return (Integer) value(this, "warmupRounds");
  }

  /** Adam moments: averaged or local. */
  default String getAdamState() {
    return (String) value(this, "adamState");
  }

  /** Outer optimizer: none or nesterov. */
  default String getOuterOptimizer() {
    return (String) value(this, "outerOptimizer");
  }

  /** Outer optimizer step size. */
  default double getOuterLearningRate() {
    return (Double) value(this, "outerLearningRate");
  }

  /** Outer (block) momentum. */
  default double getOuterMomentum() {
    return (Double) value(this, "outerMomentum");
  }

  /** Fraction held out for validation during training. */
  default double getValidationFraction() {
    return (Double) value(this, "validationFraction");
  }

  /** Rows per forward pass in the validation during training. */
  default int getEvalBatchSize() {
    return (Integer) value(this, "evalBatchSize");
  }

  /**
   * What training and transform do with unusable input rows (wrong size, NaN/Inf, outside [0, 1]
   * under the Bernoulli likelihood): fail, or skip (left out of training; null outputs in
   * transform). The one training setting a fitted model lets change. Default fail.
   */
  default String getBadRowPolicy() {
    return (String) value(this, "badRowPolicy");
  }

  /** On a NaN or infinite loss or parameter: fail or rollback. */
  default String getDivergencePolicy() {
    return (String) value(this, "divergencePolicy");
  }

  /** Rollbacks allowed over a run with divergencePolicy=rollback. */
  default int getMaxRollbacks() {
    return (Integer) value(this, "maxRollbacks");
  }

  // ---- RunOptions (what fit writes besides the model; all off by default)

  /** Folder for training checkpoints (Hadoop path); empty: none. */
  default String getCheckpointDir() {
    return (String) value(this, "checkpointDir");
  }

  /** Whether fit continues from the newest valid checkpoint in checkpointDir. */
  default boolean getResume() {
    return (Boolean) value(this, "resume");
  }

  /** Whether a new run may start in a checkpointDir that holds another run's checkpoints. */
  default boolean getShareCheckpointDir() {
    return (Boolean) value(this, "shareCheckpointDir");
  }

  /** Rounds between checkpoints inside an epoch (0: at epoch ends only). */
  default int getCheckpointEveryRounds() {
    return (Integer) value(this, "checkpointEveryRounds");
  }

  /** Newest checkpoints kept. */
  default int getCheckpointsKept() {
    return (Integer) value(this, "checkpointsKept");
  }

  /** Metrics file, one JSON object per epoch; empty: none. */
  default String getMetricsOut() {
    return (String) value(this, "metricsOut");
  }

  /** Local folder of the training report; empty: none. */
  default String getReportDir() {
    return (String) value(this, "reportDir");
  }

  /** Whether a previous SparkVAE report at reportDir may be replaced. */
  default boolean getOverwrite() {
    return (Boolean) value(this, "overwrite");
  }

  /** The features as images in the report: WIDTHxHEIGHT, auto or none. */
  default String getImageSize() {
    return (String) value(this, "imageSize");
  }

  /** Validation rows (at most) pictured in the report. */
  default int getReportRows() {
    return (Integer) value(this, "reportRows");
  }
}
