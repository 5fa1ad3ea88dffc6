package io.sparkvae.spark.ml;

import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.SafetensorsExport;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.train.Seeds;
import io.sparkvae.model.vae.Support;
import io.sparkvae.model.vae.VaeNetwork;
import io.sparkvae.spark.train.BadRowPolicy;
import io.sparkvae.spark.train.EpochMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.ml.util.SparkVaeMlAdapter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A trained variational autoencoder (Kingma &amp; Welling 2013, "Auto-Encoding Variational Bayes")
 * as a Spark ML {@code Model}: {@link #transform} encodes a features column into the posterior
 * q(z|x) = N(mean, diag(std²)) and, on request, a posterior sample, the per-row negative ELBO (an
 * anomaly score in nats) and the reconstruction E[x|z = mean].
 *
 * <p>Columns (see {@link VaeParams}): the input {@code featuresCol} holds inputDim values per row
 * (ml Vector, array&lt;float&gt; or array&lt;double&gt;); outputs are appended: {@code
 * latentMeanCol}, {@code latentStdCol}, {@code latentSampleCol} (vectors of latentDim), {@code
 * reconstructionCol} (vector of inputDim) and {@code negElboCol} (double). Only the column,
 * inference and score parameters and {@code badRowPolicy} can change on a fitted model; the other
 * VaeConfig and DistributedConfig parameters are those it was trained with.
 *
 * <p>Unusable rows: a row whose features are null is "no data" and gets null outputs under either
 * policy. A row of another size than inputDim, with a NaN or infinite value, or (Bernoulli
 * likelihood) a value outside [0, 1] fails the job under {@code badRowPolicy=fail} (the default; a
 * fitted model keeps its estimator's value), with the column, the counts by reason in that
 * partition and its first offending rows as partition:row; under {@code skip} it gets null outputs
 * in every requested column. Every row is checked once, as it is packed for the network. Null and
 * skipped rows are counted in Spark accumulators ({@link InferenceCounts}: pass your own to {@link
 * #transform(Dataset, InferenceCounts)} to read the totals after an action, and mind its note on
 * when they are exact) and logged per partition.
 *
 * <p>Inference runs in batches of {@code inferenceBatchSize} rows (one native call per batch and
 * kind of output, never one per row), on one native model per executor JVM shared by its tasks; the
 * parameters travel once per {@code transform} call as a Spark broadcast. The sample and score
 * noise is seeded from {@code scoreSeed} and the partition index, so results are reproducible for a
 * fixed partitioning.
 *
 * <p>Persistence: {@code <path>/metadata/} is Spark's params JSON and {@code <path>/data/} is the
 * model-lib model directory ({@code model.json} + {@code parameters.bin}, see {@link ModelFormat}),
 * loadable with {@code ModelFormat.load} without Spark; {@code <path>/export/} holds the same
 * parameters as {@code model.safetensors} with PyTorch-style names and {@code config.json} (see
 * {@link SafetensorsExport}), for Python, PyTorch and Spark Connect users, who cannot call this
 * class's methods remotely. Works inside {@code PipelineModel}. Saving and loading live in {@link
 * VaeModelIO}, the batched inference in {@link BatchInference}.
 *
 * <p>The class is over 400 lines because it has one typed setter per output and scoring param
 * (Spark ML's convention) and four public operations (transform, decode, generate, export), each
 * with its schema checks; the work of each is delegated.
 */
public final class VaeModel extends Model<VaeModel> implements VaeParams, MLWritable {
  private static final long serialVersionUID = 1L;

  /** Stream of the negative ELBO's noise in {@link Seeds#derive}. */
  private static final long SCORE_STREAM = 0x53434f52L;

  /** The model directory's subdirectory of the safetensors export ({@link #exportSafetensors}). */
  public static final String EXPORT_DIR = "export";

  private final String uid;
  private final StageParams stageParams;
  private final TrainedVae trained;
  private final List<EpochMetrics> history;
  private transient volatile String modelKey;

  /**
   * An empty model with a random uid, for Spark's {@code ServiceLoader} registration (Spark
   * Connect) only: it has no parameters, and {@link #transform} refuses to run. Use {@link
   * #VaeModel(TrainedVae)} or {@link VaeEstimator#fit}.
   */
  public VaeModel() {
    this(Identifiable.randomUID("vae"), null, List.of());
  }

  /**
   * Wraps a trained model, for example one trained by model-lib's local trainer or loaded with
   * {@link ModelFormat#load}; the training history is read from its metadata when present.
   */
  public VaeModel(TrainedVae trained) {
    this(
        Identifiable.randomUID("vae"),
        Objects.requireNonNull(trained, "trained"),
        TrainingHistory.fromMetadata(trained.metadata()));
  }

  /**
   * A model with a given uid (a fitted model shares its estimator's).
   *
   * @param trained the configuration, parameters and metadata (null only for the registration
   *     instance)
   * @param history one entry per training epoch
   */
  public VaeModel(String uid, TrainedVae trained, List<EpochMetrics> history) {
    // The uid first: every Param created below records it as its parent.
    this.uid = Objects.requireNonNull(uid, "uid");
    this.stageParams = new StageParams(this);
    // Models saved before there was one training path name their metadata otherwise: read them in
    // today's words.
    this.trained = trained == null ? null : TrainingHistory.upgrade(trained);
    this.history = List.copyOf(history);
    if (trained != null) {
      StageParams.setAll(this, trained.config());
    }
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Param<?>[] params() {
    // Spark would find params by reflection over getter methods; ours are generated from the
    // declarations. Null while the superclass constructors run.
    return stageParams == null ? new Param<?>[0] : stageParams.array();
  }

  /** The trained model: config, parameters in ParamLayout order, metadata. */
  public TrainedVae trainedVae() {
    return requireTrained();
  }

  /** The configuration the model was trained with. */
  public VaeConfig vaeConfig() {
    return requireTrained().config();
  }

  /** One entry per training epoch (losses in nats per example); empty when not known. */
  public List<EpochMetrics> trainingHistory() {
    return history;
  }

  // ---- setters (only the column, inference and score parameters change on a fitted model)

  /**
   * Sets a column, inference or score parameter by name; numbers of another width and text are
   * converted.
   *
   * @throws IllegalArgumentException for an unknown name, a training parameter, or an invalid
   *     value, naming the parameter
   */
  public VaeModel setValue(String name, Object value) {
    stageParams.set(this, name, value, true);
    return this;
  }

  /** Sets the input column. */
  public VaeModel setFeaturesCol(String v) {
    return setValue(ParamVocabulary.FEATURES_COL, v);
  }

  /** Sets the posterior-mean output column (empty: off). */
  public VaeModel setLatentMeanCol(String v) {
    return setValue(ParamVocabulary.LATENT_MEAN_COL, v);
  }

  /** Sets the posterior-std output column (empty: off). */
  public VaeModel setLatentStdCol(String v) {
    return setValue(ParamVocabulary.LATENT_STD_COL, v);
  }

  /** Sets the posterior-sample output column (empty: off). */
  public VaeModel setLatentSampleCol(String v) {
    return setValue(ParamVocabulary.LATENT_SAMPLE_COL, v);
  }

  /** Sets the negative-ELBO output column (empty: off). */
  public VaeModel setNegElboCol(String v) {
    return setValue(ParamVocabulary.NEG_ELBO_COL, v);
  }

  /** Sets the reconstruction output column (empty: off). */
  public VaeModel setColumnNllCol(String v) {
    return setValue(ParamVocabulary.COLUMN_NLL_COL, v);
  }

  public VaeModel setAnomalyCol(String v) {
    return setValue(ParamVocabulary.ANOMALY_COL, v);
  }

  public VaeModel setReconstructionCol(String v) {
    return setValue(ParamVocabulary.RECONSTRUCTION_COL, v);
  }

  /** Sets the rows per forward pass. */
  public VaeModel setInferenceBatchSize(int v) {
    return setValue(ParamVocabulary.INFERENCE_BATCH_SIZE, v);
  }

  /** Sets the samples of z of the negative ELBO. */
  public VaeModel setNegElboSamples(int v) {
    return setValue(ParamVocabulary.NEG_ELBO_SAMPLES, v);
  }

  /** Sets the seed of the score's and the sample's noise. */
  public VaeModel setScoreSeed(long v) {
    return setValue(ParamVocabulary.SCORE_SEED, v);
  }

  /**
   * Sets what transform does with unusable rows: fail (the job, with counts) or skip (null outputs,
   * counted and logged).
   */
  public VaeModel setBadRowPolicy(String v) {
    return setValue(ParamVocabulary.BAD_ROW_POLICY, v);
  }

  // ---- Spark ML

  @Override
  public VaeModel copy(ParamMap extra) {
    VaeModel copy = new VaeModel(uid, trained, history);
    copyValues(copy, extra);
    copy.requireConsistent();
    if (hasParent()) {
      copy.setParent(parent());
    }
    return copy;
  }

  /**
   * The input schema with the requested outputs appended.
   *
   * @throws IllegalArgumentException when the features column is missing, of an unsupported type or
   *     of a size other than inputDim (from its ML attribute), or an output column exists already
   */
  @Override
  public StructType transformSchema(StructType schema) {
    if (tabular() != null) {
      return tabularOutput(schema, Outputs.requested(this, true));
    }
    int inputDim = inputDim();
    Outputs.checkInput(schema, getFeaturesCol(), "features", inputDim);
    return Outputs.append(schema, Outputs.requested(this), latentDim(), inputDim);
  }

  /** The metadata key of the anomaly threshold (negative ELBO, nats) fitted with contamination. */
  static final String THRESHOLD_KEY = "anomalyThreshold";

  /** The temporary score column of an anomaly flag requested without negElboCol. */
  private static final String SCORE_TMP = "__sparkvae_neg_elbo";

  /** The tabular schema of a model trained on inputCols, else null. */
  public io.sparkvae.model.tabular.TabularSchema tabular() {
    return trained == null ? null : trained.config().tabular();
  }

  /** The anomaly threshold fitted with contamination (negative ELBO in nats), else NaN. */
  public double anomalyThreshold() {
    String t = trained == null ? null : trained.metadata().get(THRESHOLD_KEY);
    return t == null ? Double.NaN : Double.parseDouble(t);
  }

  private boolean flagsAnomalies() {
    return !Double.isNaN(anomalyThreshold()) && !getAnomalyCol().isEmpty();
  }

  /** The tabular outputs of {@code schema} plus the packed column, then the anomaly flag. */
  private StructType tabularOutput(StructType schema, List<Outputs.Column> outputs) {
    StructType out =
        Outputs.append(
            schema, outputs, latentDim(), inputDim(), TabularInput.columnNllType(tabular()));
    if (flagsAnomalies()) {
      out = Outputs.appendFlag(out, getAnomalyCol());
    }
    TabularInput.sources(schema, tabular().sources());
    return out;
  }

  /** The outputs of a tabular transform: the requested ones, and a score for the anomaly flag. */
  private List<Outputs.Column> tabularOutputs() {
    List<Outputs.Column> outputs = new java.util.ArrayList<>(Outputs.requested(this, true));
    if (flagsAnomalies() && getNegElboCol().isEmpty()) {
      outputs.add(new Outputs.Column(Outputs.Kind.NEG_ELBO, SCORE_TMP));
    }
    return outputs;
  }

  /**
   * Tabular transform: packs the records (a UDF over the model's input columns), runs the network,
   * drops the packed column, and flags anomalies.
   */
  private Dataset<Row> transformTabular(Dataset<?> dataset, InferenceCounts counts) {
    transformSchema(dataset.schema(), true);
    List<Outputs.Column> outputs = tabularOutputs();
    boolean skip = getBadRowPolicy() == BadRowPolicy.SKIP;
    // Values unseen in training are scored as their column's "unknown" entry and counted here (the
    // Spark UI shows it by name), once the transform has run.
    org.apache.spark.util.LongAccumulator unknown =
        dataset
            .sparkSession()
            .sparkContext()
            .longAccumulator("VaeModel " + uid + " unknown categories");
    Dataset<Row> df = TabularInput.withPacked(dataset.toDF(), tabular(), skip, unknown);
    StructType out =
        Outputs.append(
            df.schema(), outputs, latentDim(), inputDim(), TabularInput.columnNllType(tabular()));
    Dataset<Row> result =
        run(df, TabularInput.PACKED, false, outputs, out, counts).drop(TabularInput.PACKED);
    if (flagsAnomalies()) {
      String score = getNegElboCol().isEmpty() ? SCORE_TMP : getNegElboCol();
      result =
          result.withColumn(getAnomalyCol(), functions.col(quote(score)).gt(anomalyThreshold()));
      if (getNegElboCol().isEmpty()) {
        result = result.drop(SCORE_TMP);
      }
    }
    return result;
  }

  /**
   * The (1 - contamination) quantile of the negative ELBO of {@code df}'s rows (relative error
   * 1e-4, Spark's approxQuantile), for the anomaly threshold.
   */
  double fitThreshold(Dataset<Row> df, double contamination) {
    VaeModel scorer = copy(new ParamMap());
    scorer.setNegElboCol(SCORE_TMP).setLatentMeanCol("").setLatentStdCol("").setColumnNllCol("");
    Dataset<Row> scored = scorer.transform(df).select(SCORE_TMP).na().drop();
    double[] q = scored.stat().approxQuantile(SCORE_TMP, new double[] {1 - contamination}, 1e-4);
    if (q.length == 0) {
      throw new IllegalArgumentException(
          "no training row could be scored for the anomaly threshold");
    }
    return q[0];
  }

  // The sizes come from the trained config, which the params mirror; the registration instance has
  // only the params.
  private int inputDim() {
    return trained == null ? getInputDim() : trained.config().inputDim();
  }

  private int latentDim() {
    return trained == null ? getLatentDim() : trained.config().latentDim();
  }

  /**
   * Appends the requested outputs to every row (lazily, like every transform), counting null and
   * skipped rows in accumulators of its own (named after this model in the Spark UI).
   *
   * <p>Unusable rows (another size than inputDim, NaN/Inf, outside [0, 1] under the Bernoulli
   * likelihood) fail the job when they are reached under badRowPolicy=fail, and get null outputs
   * under skip; null features give null outputs under both.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return transform(
        dataset,
        InferenceCounts.register(dataset.sparkSession().sparkContext(), "VaeModel " + uid));
  }

  /**
   * {@link #transform(Dataset)}, counting the rows read, null and skipped into {@code counts}
   * (registered by the caller with {@link InferenceCounts#register}); read them after an action.
   */
  public Dataset<Row> transform(Dataset<?> dataset, InferenceCounts counts) {
    Objects.requireNonNull(counts, "counts");
    if (tabular() != null) {
      return transformTabular(dataset, counts);
    }
    StructType out = transformSchema(dataset.schema(), true);
    List<Outputs.Column> outputs = Outputs.requested(this);
    Dataset<Row> df = dataset.toDF();
    if (outputs.isEmpty()) {
      return df;
    }
    return run(df, getFeaturesCol(), false, outputs, out, counts);
  }

  /**
   * Decodes a column of latent codes (vectors of latentDim) into decoder means E[x|z] (vectors of
   * inputDim, probabilities for the Bernoulli likelihood), appended as {@code outputCol}; null
   * codes give null. Codes of the wrong size or with NaN/Inf follow badRowPolicy, as in transform.
   *
   * @throws IllegalArgumentException when the latent column is missing, of an unsupported type or
   *     of the wrong size, or {@code outputCol} exists
   */
  public Dataset<Row> decode(Dataset<?> dataset, String latentCol, String outputCol) {
    if (outputCol == null || outputCol.isEmpty()) {
      throw new IllegalArgumentException("decode needs a non-empty output column name");
    }
    StructType schema = dataset.schema();
    Outputs.checkInput(schema, latentCol, "latent", latentDim());
    List<Outputs.Column> outputs = List.of(new Outputs.Column(Outputs.Kind.DECODED, outputCol));
    StructType out = Outputs.append(schema, outputs, latentDim(), inputDim());
    return run(
        dataset.toDF(),
        latentCol,
        true,
        outputs,
        out,
        InferenceCounts.register(
            dataset.sparkSession().sparkContext(), "VaeModel " + uid + " decode"));
  }

  /**
   * {@code n} new examples: decoder means E[x|z] of codes z ~ N(0, I) drawn from the prior, in one
   * column {@code "features"} (vectors of inputDim). Row {@code i}'s code is drawn from a generator
   * seeded with {@code (seed, i)}, so the result depends on {@code seed} and {@code n} only.
   */
  public Dataset<Row> generate(SparkSession spark, int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("generate needs n >= 0, got " + n);
    }
    int latent = latentDim();
    int partitions =
        (int)
            Math.max(
                1,
                Math.min(
                    spark.sparkContext().defaultParallelism(),
                    ((long) n + getInferenceBatchSize() - 1) / getInferenceBatchSize()));
    StructType zSchema = new StructType().add("z", SQLDataTypes.VectorType(), false);
    Dataset<Row> z =
        spark
            .range(0, n, 1, partitions)
            .toDF()
            .mapPartitions(new PriorDraws(latent, seed), Encoders.row(zSchema));
    return decode(z, "z", "features").select("features");
  }

  /**
   * The seed of the negative-ELBO noise of partition {@code partition}: its generator is {@code new
   * SplittableRandom(scoreNoiseSeed(scoreSeed, partition))}, drawn batch after batch in row order
   * as {@code VaeInference.negElbo} does, so a partition's scores can be recomputed without Spark.
   */
  public static long scoreNoiseSeed(long scoreSeed, int partition) {
    return Seeds.derive(scoreSeed, SCORE_STREAM, partition);
  }

  /**
   * The first {@code count} draws of partition {@code partition}'s negative-ELBO noise, as
   * transform draws them (float32 standard normals, {@code [samples, rows, latentDim]} per batch of
   * rows, batch after batch), so scores can be recomputed outside the JVM, for instance by the
   * Python package's numpy model.
   */
  public static float[] scoreNoise(long scoreSeed, int partition, int count) {
    SplittableRandom r = new SplittableRandom(scoreNoiseSeed(scoreSeed, partition));
    float[] eps = new float[count];
    for (int i = 0; i < count; i++) {
      eps[i] = (float) r.nextGaussian();
    }
    return eps;
  }

  /**
   * Writes the model for tools outside the JVM into the directory {@code dir} (any Hadoop path;
   * created, and it must not exist): {@code model.safetensors} with PyTorch-style names and {@code
   * config.json}, see {@link SafetensorsExport}. {@link #write()} puts the same files under the
   * model directory's {@code export/}.
   */
  public void exportSafetensors(String dir) {
    try {
      ExportFiles.save(
          requireTrained(), dir, SparkSession.active().sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot export the model to " + dir + ": " + e.getMessage(), e);
    }
  }

  private Dataset<Row> run(
      Dataset<Row> df,
      String column,
      boolean latentInput,
      List<Outputs.Column> outputs,
      StructType out,
      InferenceCounts counts) {
    TrainedVae t = requireTrained();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    // Once per call, on the driver: the closure below carries only this handle.
    Broadcast<float[]> params = jsc.broadcast(t.params());
    BatchInference f =
        new BatchInference(
            params,
            t.config(),
            modelKey(),
            column,
            latentInput,
            df.schema().fieldIndex(column),
            outputs,
            getInferenceBatchSize(),
            getNegElboSamples(),
            getScoreSeed(),
            getBadRowPolicy() == BadRowPolicy.SKIP,
            latentInput ? Support.REAL : new VaeNetwork(t.config()).likelihood().support(),
            counts);
    Dataset<Row> mapped;
    if (df.isStreaming()) {
      mapped = df.mapPartitions(f, Encoders.row(out));
    } else {
      // Catalyst's rows in and out: no decoding and re-encoding of every column of every row.
      mapped =
          SparkVaeMlAdapter.mapInternalRows(
              df, f.onInternalRows(df.schema().apply(column).dataType()), out);
    }
    // The row encoder drops column metadata: put back every column's (ML attributes, such as the
    // vector sizes of the input and of our outputs), so the result has exactly the schema that
    // transformSchema announced.
    Column[] columns = new Column[out.fields().length];
    for (int i = 0; i < columns.length; i++) {
      StructField field = out.fields()[i];
      columns[i] = mapped.col(quote(field.name())).as(field.name(), field.metadata());
    }
    return mapped.select(columns);
  }

  /** A column name as Spark's column parser reads it literally (dots, backticks). */
  static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /** The executor cache's key: the uid and a hash of the config and parameters. */
  private String modelKey() {
    String k = modelKey;
    if (k == null) {
      k = uid + "/" + contentHash(requireTrained());
      modelKey = k;
    }
    return k;
  }

  private static String contentHash(TrainedVae t) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
    sha.update(t.config().toString().getBytes(StandardCharsets.UTF_8));
    float[] p = t.params();
    ByteBuffer buf = ByteBuffer.allocate(p.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(p);
    sha.update(buf);
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  TrainedVae requireTrained() {
    if (trained == null) {
      throw new IllegalStateException(
          "VaeModel "
              + uid
              + " holds no trained parameters (it is the registration instance);"
              + " fit a VaeEstimator or load a saved model");
    }
    return trained;
  }

  /** Fails when a training parameter differs from the trained config (the data is the truth). */
  void requireConsistent() {
    if (trained == null) {
      return;
    }
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> spec : VaeConfig.PARAMS) {
      Object param = StageParams.value(this, spec.name());
      Object actual = StageParams.sparkValue(spec, trained.config());
      boolean same =
          actual instanceof int[] a ? Arrays.equals(a, (int[]) param) : actual.equals(param);
      if (!same) {
        throw new IllegalArgumentException(
            spec.name()
                + " is "
                + format(param)
                + " in the params but the model was trained with "
                + format(actual));
      }
    }
  }

  private static String format(Object v) {
    return v instanceof int[] a ? Arrays.toString(a) : String.valueOf(v);
  }

  /** The parameters' size in bytes (Spark Connect's model cache accounts with it). */
  @Override
  public long estimatedSize() {
    return trained == null ? 0 : (long) trained.paramCount() * Float.BYTES;
  }

  @Override
  public String toString() {
    return "VaeModel: uid="
        + uid
        + (trained == null
            ? ", no parameters"
            : ", inputDim="
                + trained.config().inputDim()
                + ", latentDim="
                + trained.config().latentDim()
                + ", parameters="
                + trained.paramCount());
  }

  // ---- persistence

  @Override
  public MLWriter write() {
    return new VaeModelIO.Writer(this);
  }

  /** The reader of saved models ({@code metadata/} + {@code data/}). */
  public static MLReader<VaeModel> read() {
    return new VaeModelIO.Reader();
  }

  /** Loads a model saved with {@code write().save(path)}. */
  public static VaeModel load(String path) {
    return read().load(path);
  }
}
