package io.sparkvae.spark.ml;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.tabular.ColumnKind;
import io.sparkvae.model.tabular.Derive;
import io.sparkvae.model.tabular.TabularColumn;
import io.sparkvae.model.tabular.TabularFitter;
import io.sparkvae.model.tabular.TabularSchema;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.train.BadRowPolicy;
import io.sparkvae.spark.train.DistributedConfig;
import io.sparkvae.spark.train.DistributedTrainer;
import io.sparkvae.spark.train.FeatureColumn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.SparkVaeMlAdapter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Trains a variational autoencoder (Kingma &amp; Welling 2013, "Auto-Encoding Variational Bayes";
 * importance-weighted with {@code elboSamples > 1}, Burda et al. 2015) on a features column with
 * SparkVAE's distributed trainer (synchronous parameter averaging, {@link DistributedTrainer}), as
 * a Spark ML {@code Estimator} usable in a {@code Pipeline}.
 *
 * <p>Parameters: every {@link VaeConfig} hyperparameter (defaults: Pyro's MNIST VAE, 400 hidden
 * units, latentDim 50, Bernoulli likelihood, Adam 1e-3, minibatches of 256), every {@link
 * DistributedConfig} setting (epochs, replicas with 0 = default parallelism, averaging; defaults in
 * {@code DistributedConfig.PARAMS}) and the column and inference settings of {@link VaeParams}, the
 * {@link io.sparkvae.spark.train.RunOptions} settings (checkpoints, resume, metrics file, report),
 * all copied to the fitted model; {@code explainParams()} lists each with its doc and default.
 * {@code inputDim} has no setter: {@code fit} takes it from the data (the ML attribute size of a
 * vector column, else the size of the first non-null row) and the model keeps it; set through
 * Spark's generic {@code set} (as the command line's {@code --input-dim} does) it is a contract,
 * and rows of another size are bad rows (see {@code badRowPolicy}).
 *
 * <p>The features must lie in [0, 1] for the Bernoulli likelihood (grey levels); every training row
 * must be non-null, finite and of inputDim values, or {@code fit} fails with the counts of bad
 * rows.
 *
 * <p>Tabular input ({@code inputCols}, see {@link TabularInput}): {@code fit} reads the named
 * columns instead of {@code featuresCol}, fits their schema (kinds, statistics, vocabularies) in
 * one pass, and trains with the tabular likelihood; nulls and NaN are masked, infinities and wrong
 * types are bad values reported per column. The model keeps the schema and packs records itself:
 * one stage. With {@code contamination > 0} the model also keeps the (1 - contamination) quantile
 * of the training rows' negative ELBO and flags rows above it in {@code anomalyCol}.
 *
 * <p>The class is over 400 lines only because it has one typed setter per param (Spark ML's
 * convention); what a fit does is in {@link TrainingRun}, the one path the command line shares.
 */
public final class VaeEstimator extends Estimator<VaeModel>
    implements VaeParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final StageParams stageParams;

  /** An estimator with a random uid and every default. */
  public VaeEstimator() {
    this(Identifiable.randomUID("vae"));
  }

  /** An estimator with the given uid (Spark's reader and Spark Connect create stages so). */
  public VaeEstimator(String uid) {
    // The uid first: every Param created below records it as its parent.
    this.uid = Objects.requireNonNull(uid, "uid");
    this.stageParams = new StageParams(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Param<?>[] params() {
    // Generated from the declarations rather than found by reflection; null while the superclass
    // constructors run.
    return stageParams == null ? new Param<?>[0] : stageParams.array();
  }

  @Override
  public VaeEstimator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /**
   * Checks the features column (exists, supported type, and the size of its vectors' ML attribute
   * when inputDim is set), the output columns (new, distinct) and the rules across hyperparameters,
   * and returns the schema the fitted model will produce.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    if (!getInputCols().isEmpty()) {
      return tabularSchema(schema);
    }
    int expected = isSet(getParam(ParamVocabulary.INPUT_DIM)) ? getInputDim() : -1;
    Outputs.checkInput(schema, getFeaturesCol(), "features", expected);
    // Cross-field rules (elboSamples > 1 needs klEstimator=mc, ...) fail here, before any job.
    StageParams.vaeConfig(this, expected > 0 ? expected : getInputDim());
    StageParams.distributedConfig(this);
    StageParams.runOptions(this);
    int inputDim = Math.max(expected, Outputs.attributeSize(schema.apply(getFeaturesCol())));
    return Outputs.append(schema, Outputs.requested(this), getLatentDim(), inputDim);
  }

  /**
   * {@link #transformSchema} of tabular input: the columns exist with usable types, the rules hold.
   */
  private StructType tabularSchema(StructType schema) {
    List<TabularFitter.Source> sources =
        TabularInput.sources(schema, TabularInput.names(getInputCols()));
    Map<String, ColumnKind> overrides = TabularInput.overrides(getColumnKinds());
    boolean timestamps = getTimestampFeatures();
    // Builds nothing but checks the overrides against the columns and their types.
    new TabularFitter(
        sources, overrides, timestamps, getCategoricalMaxLevels(), getMaxCategories());
    if (isSet(getParam("likelihood")) && getLikelihood() != LikelihoodKind.TABULAR) {
      throw new IllegalArgumentException(
          "likelihood is set to "
              + getLikelihood()
              + " but inputCols makes the"
              + " likelihood tabular (one per column); leave likelihood unset");
    }
    StageParams.vaeConfig(this, getInputDim());
    StageParams.distributedConfig(this);
    StructType nll = new StructType();
    for (TabularFitter.Source s : sources) {
      if (s.type() == TabularFitter.SourceType.TIMESTAMP) {
        nll =
            nll.add(Derive.HOUR_OF_DAY.columnName(s.name()), DataTypes.DoubleType, true)
                .add(Derive.DAY_OF_WEEK.columnName(s.name()), DataTypes.DoubleType, true);
      } else {
        nll = nll.add(s.name(), DataTypes.DoubleType, true);
      }
    }
    StructType out = Outputs.append(schema, Outputs.requested(this, true), getLatentDim(), -1, nll);
    if (getContamination() > 0 && !getAnomalyCol().isEmpty()) {
      out = Outputs.appendFlag(out, getAnomalyCol());
    }
    return out;
  }

  /**
   * Trains on every row of {@code dataset}'s features column and returns the model, which shares
   * this estimator's uid and param values, has it as parent, and keeps the training history. With
   * the {@link io.sparkvae.spark.train.RunOptions} params set it also writes checkpoints (and
   * resumes from them), the metrics file and the report, as the command line does.
   *
   * @throws IllegalArgumentException for a bad schema, no non-null row, or rows that are null, of
   *     another size or not finite (with their counts)
   */
  @Override
  public VaeModel fit(Dataset<?> dataset) {
    return fit(dataset, (Dataset<?>) null);
  }

  /**
   * {@link #fit(Dataset)} with explicit validation rows: each epoch is validated on them instead of
   * on {@code validationFraction} of {@code train}, and the report pictures them.
   *
   * @param validation rows with the same features column, or null
   */
  public VaeModel fit(Dataset<?> train, Dataset<?> validation) {
    transformSchema(train.schema(), true);
    Dataset<Row> df = train.toDF();
    if (!getInputCols().isEmpty()) {
      return fitTabular(df, validation == null ? null : validation.toDF());
    }
    String column = getFeaturesCol();
    VaeConfig config = StageParams.vaeConfig(this, inputDim(df));
    TrainingRun.Outcome out =
        new TrainingRun(
                config,
                StageParams.distributedConfig(this),
                StageParams.runOptions(this),
                column,
                uid,
                0)
            .fit(df, validation == null ? null : validation.toDF());
    VaeModel model = new VaeModel(uid, out.trained(), out.history());
    copyValues(model, new ParamMap());
    return model.setParent(this);
  }

  /**
   * Tabular input: fits the schema in one pass, trains on the packed rows, and with contamination
   * above 0 scores the training rows for the anomaly threshold (stored in the model's metadata).
   */
  private VaeModel fitTabular(Dataset<Row> df, Dataset<Row> validation) {
    boolean skip = getBadRowPolicy() == BadRowPolicy.SKIP;
    List<TabularFitter.Source> sources =
        TabularInput.sources(df.schema(), TabularInput.names(getInputCols()));
    TabularSchema schema =
        TabularInput.fit(
            df,
            sources,
            TabularInput.overrides(getColumnKinds()),
            getTimestampFeatures(),
            getCategoricalMaxLevels(),
            getMaxCategories(),
            skip);
    VaeConfig config =
        StageParams.vaeConfig(this, schema.packedWidth()).toBuilder()
            .likelihood(LikelihoodKind.TABULAR)
            .tabular(schema)
            .build();
    DistributedConfig dist = StageParams.distributedConfig(this);
    // The fit counted every row: check that the packed shards fit before packing them (one-hot
    // columns make rows wide: flights' 229 airports take 231 floats per row and column).
    TabularColumn first = schema.columns().get(0);
    io.sparkvae.spark.train.ShardMemory.check(
        df.sparkSession(),
        first.observed() + first.missing(),
        schema.packedWidth(),
        DistributedTrainer.replicas(dist, df.sparkSession()));
    Dataset<Row> packed = TabularInput.withPacked(df, schema, skip).select(TabularInput.PACKED);
    Dataset<Row> packedValidation =
        validation == null
            ? null
            : TabularInput.withPacked(validation, schema, skip).select(TabularInput.PACKED);
    // The one training path (checkpoints, resume, metrics file, report), on the packed column.
    // An explicit klWarmupSteps (0 included: no warm-up) wins over the tabular default.
    double klWarmupFraction =
        isSet(getParam("klWarmupSteps")) ? 0 : TabularInput.KL_WARMUP_FRACTION;
    TrainingRun.Outcome out =
        new TrainingRun(
                config,
                dist,
                StageParams.runOptions(this),
                TabularInput.PACKED,
                uid,
                klWarmupFraction)
            .fit(packed, packedValidation);
    // The config the run trained with (its klWarmupSteps derived when it was not set).
    config = out.trained().config();
    Map<String, String> metadata = new LinkedHashMap<>(out.trained().metadata());
    metadata.put("featuresCol", getInputCols());
    VaeModel model =
        tabularModel(new TrainedVae(config, out.trained().params(), metadata), out.history());
    if (getContamination() > 0) {
      double threshold = model.fitThreshold(df, getContamination());
      metadata.put(VaeModel.THRESHOLD_KEY, Double.toString(threshold));
      metadata.put(ParamVocabulary.CONTAMINATION, Double.toString(getContamination()));
      model = tabularModel(new TrainedVae(config, out.trained().params(), metadata), out.history());
    }
    return model;
  }

  private VaeModel tabularModel(
      TrainedVae trained, List<io.sparkvae.spark.train.EpochMetrics> history) {
    VaeModel model = new VaeModel(uid, trained, history);
    copyValues(model, new ParamMap());
    return model.setParent(this);
  }

  /**
   * The size in bytes of the parameters {@code fit} would produce on {@code dataset} (Spark
   * Connect's model cache asks before fitting). Reads one row when the column has no ML size.
   */
  @Override
  public long estimateModelSize(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    VaeConfig config = StageParams.vaeConfig(this, inputDim(dataset.toDF()));
    return (long) ParamLayout.of(config).totalSize() * Float.BYTES;
  }

  /**
   * The features' size: inputDim when it is set (the command line's {@code --input-dim}, or Spark's
   * generic setter: a contract, rows of another size are bad rows), else the ML attribute size of a
   * vector column, else the size of the first non-null row.
   */
  private int inputDim(Dataset<Row> df) {
    if (isSet(getParam(ParamVocabulary.INPUT_DIM))) {
      return getInputDim();
    }
    String column = getFeaturesCol();
    int attr = Outputs.attributeSize(df.schema().apply(column));
    if (attr > 0) {
      return attr;
    }
    String quoted = VaeModel.quote(column);
    List<Row> first =
        df.select(functions.col(quoted))
            .where(functions.col(quoted).isNotNull())
            .limit(1)
            .collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException(
          "features column '" + column + "' has no non-null rows to train on");
    }
    return FeatureColumn.size(first.get(0).get(0));
  }

  // ---- setters

  /**
   * Sets any parameter by name; numbers of another width and text ("400,200" for layer sizes) are
   * converted.
   *
   * @throws IllegalArgumentException for an unknown name, {@code inputDim} (taken from the data),
   *     or an invalid value, naming the parameter
   */
  public VaeEstimator setValue(String name, Object value) {
    if (ParamVocabulary.INPUT_DIM.equals(name)) {
      throw new IllegalArgumentException(
          "inputDim is not set on VaeEstimator: fit takes it from the features column");
    }
    stageParams.set(this, name, value, false);
    return this;
  }

  /** Sets the input column. */
  public VaeEstimator setFeaturesCol(String v) {
    return setValue(ParamVocabulary.FEATURES_COL, v);
  }

  /** Sets the posterior-mean output column (empty: off). */
  public VaeEstimator setLatentMeanCol(String v) {
    return setValue(ParamVocabulary.LATENT_MEAN_COL, v);
  }

  /** Sets the posterior-std output column (empty: off). */
  public VaeEstimator setLatentStdCol(String v) {
    return setValue(ParamVocabulary.LATENT_STD_COL, v);
  }

  /** Sets the posterior-sample output column (empty: off). */
  public VaeEstimator setLatentSampleCol(String v) {
    return setValue(ParamVocabulary.LATENT_SAMPLE_COL, v);
  }

  /** Sets the negative-ELBO output column (empty: off). */
  public VaeEstimator setNegElboCol(String v) {
    return setValue(ParamVocabulary.NEG_ELBO_COL, v);
  }

  /** Sets the reconstruction output column (empty: off). */
  public VaeEstimator setReconstructionCol(String v) {
    return setValue(ParamVocabulary.RECONSTRUCTION_COL, v);
  }

  /** Sets the rows per forward pass of the model's transform. */
  public VaeEstimator setInferenceBatchSize(int v) {
    return setValue(ParamVocabulary.INFERENCE_BATCH_SIZE, v);
  }

  /** Sets the samples of z of the negative ELBO column. */
  public VaeEstimator setNegElboSamples(int v) {
    return setValue(ParamVocabulary.NEG_ELBO_SAMPLES, v);
  }

  /** Sets the seed of the score's and the sample's noise. */
  public VaeEstimator setScoreSeed(long v) {
    return setValue(ParamVocabulary.SCORE_SEED, v);
  }

  /** Sets the encoder hidden layer sizes, input side first. */
  public VaeEstimator setEncoderHidden(int... v) {
    return setValue("encoderHidden", v.clone());
  }

  /** Sets the decoder hidden layer sizes, latent side first. */
  public VaeEstimator setDecoderHidden(int... v) {
    return setValue("decoderHidden", v.clone());
  }

  /** Sets the dimension of z. */
  public VaeEstimator setLatentDim(int v) {
    return setValue("latentDim", v);
  }

  /** Sets the hidden non-linearity (softplus, relu, tanh). */
  public VaeEstimator setActivation(String v) {
    return setValue("activation", v);
  }

  /** Sets the observation model (bernoulli, gaussian). */
  public VaeEstimator setLikelihood(String v) {
    return setValue("likelihood", v);
  }

  /** Sets the Gaussian observation variance mode (learned, fixed). */
  public VaeEstimator setGaussianVariance(String v) {
    return setValue("gaussianVariance", v);
  }

  /** Sets the fixed Gaussian observation std. */
  public VaeEstimator setGaussianFixedStd(double v) {
    return setValue("gaussianFixedStd", v);
  }

  /** Sets the KL estimator (mc, analytic). */
  public VaeEstimator setKlEstimator(String v) {
    return setValue("klEstimator", v);
  }

  /** Sets the samples of z per training example. */
  public VaeEstimator setElboSamples(int v) {
    return setValue("elboSamples", v);
  }

  /** Sets the KL weight. */
  public VaeEstimator setBeta(double v) {
    return setValue("beta", v);
  }

  /** Sets the KL warm-up length in optimizer steps. */
  public VaeEstimator setKlWarmupSteps(long v) {
    return setValue("klWarmupSteps", v);
  }

  /** Sets the Adam learning rate. */
  public VaeEstimator setLearningRate(double v) {
    return setValue("learningRate", v);
  }

  /** Sets Adam's beta1. */
  public VaeEstimator setAdamBeta1(double v) {
    return setValue("adamBeta1", v);
  }

  /** Sets Adam's beta2. */
  public VaeEstimator setAdamBeta2(double v) {
    return setValue("adamBeta2", v);
  }

  /** Sets Adam's epsilon. */
  public VaeEstimator setAdamEps(double v) {
    return setValue("adamEps", v);
  }

  /** Sets the examples per minibatch. */
  public VaeEstimator setBatchSize(int v) {
    return setValue("batchSize", v);
  }

  /** Sets the seed of initialization, shuffling and training noise. */
  public VaeEstimator setSeed(long v) {
    return setValue("seed", v);
  }

  /** Sets the passes over the training data. */
  public VaeEstimator setEpochs(int v) {
    return setValue("epochs", v);
  }

  /** Sets the model replicas (0: spark.default.parallelism). */
  public VaeEstimator setReplicas(int v) {
    return setValue("replicas", v);
  }

  /** Sets the local steps between two averagings. */
  public VaeEstimator setAveragingSteps(int v) {
    return setValue("averagingSteps", v);
  }

  public VaeEstimator setScaleOut(String v) {
    return setValue("scaleOut", v);
  }

  public VaeEstimator setReplicaBatchSize(int v) {
    return setValue("replicaBatchSize", v);
  }

  public VaeEstimator setWarmupRounds(int v) {
    return setValue("warmupRounds", v);
  }

  /** Sets how Adam moments are kept (averaged, local). */
  public VaeEstimator setAdamState(String v) {
    return setValue("adamState", v);
  }

  /** Sets the steps of the next round each replica runs ahead while the driver averages. */
  public VaeEstimator setOverlapSteps(int v) {
    return setValue("overlapSteps", v);
  }

  /** Sets the outer optimizer (none, nesterov). */
  public VaeEstimator setOuterOptimizer(String v) {
    return setValue("outerOptimizer", v);
  }

  /** Sets the outer step size. */
  public VaeEstimator setOuterLearningRate(double v) {
    return setValue("outerLearningRate", v);
  }

  /** Sets the outer momentum. */
  public VaeEstimator setOuterMomentum(double v) {
    return setValue("outerMomentum", v);
  }

  /** Sets the fraction of the input held out for validation. */
  public VaeEstimator setValidationFraction(double v) {
    return setValue("validationFraction", v);
  }

  /** Sets the rows per forward pass of validation. */
  public VaeEstimator setEvalBatchSize(int v) {
    return setValue("evalBatchSize", v);
  }

  /**
   * Sets what training does with unusable rows (fail or skip); the fitted model keeps it for its
   * transform, where it can be changed.
   */
  public VaeEstimator setBadRowPolicy(String v) {
    return setValue(ParamVocabulary.BAD_ROW_POLICY, v);
  }

  /** Sets what a NaN or infinite loss or parameter does: fail or rollback. */
  public VaeEstimator setDivergencePolicy(String v) {
    return setValue("divergencePolicy", v);
  }

  /** Sets the rollbacks allowed over a run with divergencePolicy=rollback. */
  public VaeEstimator setMaxRollbacks(int v) {
    return setValue("maxRollbacks", v);
  }

  /** Sets the folder for training checkpoints (Hadoop path; empty: none). */
  public VaeEstimator setCheckpointDir(String v) {
    return setValue("checkpointDir", v);
  }

  /** Sets whether fit continues from the newest valid checkpoint in checkpointDir. */
  public VaeEstimator setResume(boolean v) {
    return setValue("resume", v);
  }

  /** Sets whether a new run may start beside another run's checkpoints in checkpointDir. */
  public VaeEstimator setShareCheckpointDir(boolean v) {
    return setValue("shareCheckpointDir", v);
  }

  /** Sets the rounds between checkpoints inside an epoch (0: at epoch ends only). */
  public VaeEstimator setCheckpointEveryRounds(int v) {
    return setValue("checkpointEveryRounds", v);
  }

  /** Sets how many of the newest checkpoints are kept. */
  public VaeEstimator setCheckpointsKept(int v) {
    return setValue("checkpointsKept", v);
  }

  /** Sets the metrics file, one JSON object per epoch (empty: none). */
  public VaeEstimator setMetricsOut(String v) {
    return setValue("metricsOut", v);
  }

  /** Sets the local folder of the training report (empty: none). */
  public VaeEstimator setReportDir(String v) {
    return setValue("reportDir", v);
  }

  /** Sets whether a previous SparkVAE report at reportDir may be replaced. */
  public VaeEstimator setOverwrite(boolean v) {
    return setValue("overwrite", v);
  }

  /** Sets the features' image shape in the report (WIDTHxHEIGHT, auto or none). */
  public VaeEstimator setImageSize(String v) {
    return setValue("imageSize", v);
  }

  /** Sets the validation rows (at most) pictured in the report. */
  public VaeEstimator setReportRows(int v) {
    return setValue("reportRows", v);
  }

  /** Sets the tabular input columns, comma-separated (empty: featuresCol is read). */
  public VaeEstimator setInputCols(String v) {
    return setValue(ParamVocabulary.INPUT_COLS, v);
  }

  /** Sets the tabular input columns. */
  public VaeEstimator setInputCols(String... v) {
    return setValue(ParamVocabulary.INPUT_COLS, String.join(",", v));
  }

  /** Sets kind overrides of tabular columns, "column:kind,...". */
  public VaeEstimator setColumnKinds(String v) {
    return setValue(ParamVocabulary.COLUMN_KINDS, v);
  }

  /** Sets whether timestamps become hour-of-day and day-of-week columns. */
  public VaeEstimator setTimestampFeatures(boolean v) {
    return setValue(ParamVocabulary.TIMESTAMP_FEATURES, v);
  }

  /** Sets the distinct values up to which an integer column is categorical. */
  public VaeEstimator setCategoricalMaxLevels(int v) {
    return setValue(ParamVocabulary.CATEGORICAL_MAX_LEVELS, v);
  }

  /** Sets the vocabulary cap of categorical columns. */
  public VaeEstimator setMaxCategories(int v) {
    return setValue(ParamVocabulary.MAX_CATEGORIES, v);
  }

  /** Sets the expected anomaly fraction of the training data (0: no threshold). */
  public VaeEstimator setContamination(double v) {
    return setValue(ParamVocabulary.CONTAMINATION, v);
  }

  /** Sets the per-column negative log-likelihood output column of tabular models (empty: off). */
  public VaeEstimator setColumnNllCol(String v) {
    return setValue(ParamVocabulary.COLUMN_NLL_COL, v);
  }

  /** Sets the anomaly flag output column (empty: off). */
  public VaeEstimator setAnomalyCol(String v) {
    return setValue(ParamVocabulary.ANOMALY_COL, v);
  }

  // ---- persistence (write() comes from DefaultParamsWritable: params only, no data)

  /** Spark's params-only reader. */
  public static MLReader<VaeEstimator> read() {
    return SparkVaeMlAdapter.defaultParamsReader();
  }

  /** Loads an estimator saved with {@code write().save(path)}. */
  public static VaeEstimator load(String path) {
    return read().load(path);
  }
}
