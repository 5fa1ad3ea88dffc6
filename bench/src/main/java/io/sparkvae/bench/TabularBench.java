package io.sparkvae.bench;

import io.sparkvae.model.tabular.IndependentBaseline;
import io.sparkvae.model.tabular.TabularColumn;
import io.sparkvae.model.tabular.TabularSchema;
import io.sparkvae.spark.ml.VaeEstimator;
import io.sparkvae.spark.ml.VaeModel;
import io.sparkvae.spark.train.EpochMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The tabular benchmark on the flights data (vega-datasets' flights-3m.parquet, Jan–Jun 2001), run
 * through spark-submit by {@code submit-scripts/bench.sh --tabular}:
 *
 * <pre>
 * TabularBench PARQUET TRAIN_ROWS HELD_ROWS EPOCHS COLUMN_KINDS [LATENT HIDDEN SCORE_SAMPLES [BETA [KL_WARMUP_STEPS]]]
 * </pre>
 *
 * <p>An empty or absent KL_WARMUP_STEPS leaves {@code klWarmupSteps} unset: the tabular default
 * applies.
 *
 * <p>SCORE_SAMPLES may list several sample counts, comma-separated ("8,64"): the one trained model
 * then scores the same held-out rows with each, and the report is printed once per count.
 *
 * <ol>
 *   <li>trains a {@link VaeEstimator} on a seeded sample of TRAIN_ROWS rows of January–April (all
 *       of them when TRAIN_ROWS is 0) with inputCols date, delay, distance, origin, destination and
 *       timestamp features (hour of day, day of week);
 *   <li>scores a seeded sample of HELD_ROWS rows of May–June in which 1 % of the rows get another
 *       destination (drawn uniformly from the other airports of the vocabulary, distance kept) and
 *       another 1 % three times their distance;
 *   <li>prints, in nats per row on the untouched held-out rows, the VAE's mean negative ELBO (an
 *       upper bound on its NLL) and the independent-columns baseline's exact NLL ({@link
 *       IndependentBaseline}: the same per-column likelihoods at their training marginals, no
 *       latent code), per column too; and the AUROC of each score at finding each kind of injected
 *       anomaly against the untouched rows.
 * </ol>
 */
public final class TabularBench {
  private TabularBench() {}

  /** Entry point. */
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().appName("sparkvae-bench tabular").getOrCreate();
    try {
      run(spark, args);
    } finally {
      spark.stop();
    }
  }

  /**
   * The command line: PATH TRAIN_ROWS HELD_ROWS EPOCHS [KINDS LATENT HIDDEN SAMPLES BETA WARMUP].
   */
  private record Args(
      String path,
      long trainRows,
      long heldRows,
      int epochs,
      String kinds,
      int latent,
      int hidden,
      int[] scoreSamples,
      double beta,
      Long klWarmup) {
    static Args parse(String[] args) {
      return new Args(
          args[0],
          Long.parseLong(args[1]),
          Long.parseLong(args[2]),
          Integer.parseInt(args[3]),
          args.length > 4 ? args[4] : "",
          args.length > 5 ? Integer.parseInt(args[5]) : 16,
          args.length > 6 ? Integer.parseInt(args[6]) : 256,
          // One or more sample counts, comma-separated: the held-out rows are scored with each
          // (one model).
          args.length > 7
              ? java.util.Arrays.stream(args[7].split(",")).mapToInt(Integer::parseInt).toArray()
              : new int[] {1},
          args.length > 8 ? Double.parseDouble(args[8]) : 1.0,
          // Empty or absent: klWarmupSteps stays unset, so the tabular default applies (40 % of
          // the steps).
          args.length > 9 && !args[9].isEmpty() ? Long.valueOf(args[9]) : null);
    }
  }

  private static void run(SparkSession spark, String[] argv) {
    Args a = Args.parse(argv);
    Dataset<Row> all = spark.read().parquet(a.path());
    Column may = functions.col("date").lt(functions.lit("2001-05-01").cast("timestamp_ntz"));
    Dataset<Row> train = sample(all.where(may), a.trainRows(), 1);
    Dataset<Row> held = sample(all.where(functions.not(may)), a.heldRows(), 2).cache();
    long t0 = System.nanoTime();
    VaeModel model = estimator(a).fit(train);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    TabularSchema schema = model.tabular();
    printTraining(model, a.klWarmup() == null);
    // Cached so that every sample count scores the very same injected rows.
    Dataset<Row> injected = inject(held, schema).cache();
    for (int samples : a.scoreSamples()) {
      System.out.printf(Locale.ROOT, "score_samples %d%n", samples);
      model.setNegElboSamples(samples);
      Dataset<Row> scored =
          model
              .transform(injected)
              .withColumn(
                  "baseline_nll",
                  functions
                      .udf(new BaselineNll(schema), DataTypes.DoubleType)
                      .apply(
                          functions.struct(
                              schema.sources().stream()
                                  .map(functions::col)
                                  .toArray(Column[]::new))))
              .cache();
      report(scored, schema, trainSeconds, model.anomalyThreshold());
      scored.unpersist();
    }
  }

  private static VaeEstimator estimator(Args a) {
    VaeEstimator estimator =
        new VaeEstimator()
            .setInputCols("date,delay,distance,origin,destination")
            .setTimestampFeatures(true)
            .setColumnKinds(a.kinds())
            .setLatentDim(a.latent())
            .setEncoderHidden(a.hidden())
            .setDecoderHidden(a.hidden())
            .setBeta(a.beta())
            .setBatchSize(512)
            .setLearningRate(1e-3)
            .setEpochs(a.epochs())
            .setReplicas(2)
            .setSeed(7)
            .setNegElboCol("neg_elbo")
            .setContamination(0.01);
    if (a.klWarmup() != null) {
      estimator.setKlWarmupSteps(a.klWarmup());
    }
    return estimator;
  }

  private static void printTraining(VaeModel model, boolean defaultWarmup) {
    TabularSchema schema = model.tabular();
    System.out.println("schema " + schema.columns() + ", packed width " + schema.packedWidth());
    System.out.println(
        "kl_warmup_steps "
            + model.vaeConfig().klWarmupSteps()
            + (defaultWarmup ? " (default)" : " (set)"));
    for (EpochMetrics m : model.trainingHistory()) {
      System.out.printf(
          Locale.ROOT,
          "epoch %d train_neg_elbo %.4f val_neg_elbo %.4f samples_per_sec %.0f%n",
          m.epoch(),
          m.trainNegElbo(),
          m.valNegElbo(),
          m.samplesPerSec());
    }
  }

  private static Dataset<Row> sample(Dataset<Row> df, long rows, long seed) {
    if (rows <= 0) {
      return df;
    }
    long n = df.count();
    return df.sample(false, Math.min(1.0, 1.1 * rows / n), seed).limit((int) rows);
  }

  /** 1 % other destination (kind 1), 1 % distance x 3 (kind 2), the rest untouched (kind 0). */
  private static Dataset<Row> inject(Dataset<Row> held, TabularSchema schema) {
    List<String> airports = column(schema, "destination").vocabulary();
    Column u = functions.rand(11);
    Column pick =
        functions.element_at(
            functions.array(airports.stream().map(functions::lit).toArray(Column[]::new)),
            functions.floor(functions.rand(12).multiply(airports.size())).cast("int").plus(1));
    Dataset<Row> d =
        held.withColumn("u", u)
            .withColumn("pick", pick)
            .withColumn(
                "kind",
                functions
                    .when(functions.col("u").lt(0.01), 1)
                    .when(functions.col("u").lt(0.02), 2)
                    .otherwise(0));
    Column sameDest = functions.col("pick").equalTo(functions.col("destination"));
    // A draw equal to the true destination takes the vocabulary's first (or second) airport
    // instead.
    Column other =
        functions
            .when(
                sameDest,
                functions
                    .when(
                        functions.col("destination").equalTo(airports.get(0)),
                        functions.lit(airports.get(1)))
                    .otherwise(functions.lit(airports.get(0))))
            .otherwise(functions.col("pick"));
    return d.withColumn(
            "destination",
            functions
                .when(functions.col("kind").equalTo(1), other)
                .otherwise(functions.col("destination")))
        .withColumn(
            "distance",
            functions
                .when(functions.col("kind").equalTo(2), functions.col("distance").multiply(3))
                .otherwise(functions.col("distance")))
        .drop("u", "pick");
  }

  private static TabularColumn column(TabularSchema s, String name) {
    return s.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static void report(
      Dataset<Row> scored, TabularSchema schema, double trainSeconds, double threshold) {
    Dataset<Row> clean = scored.where("kind = 0");
    List<Column> aggs = new ArrayList<>();
    aggs.add(functions.avg("neg_elbo"));
    aggs.add(functions.avg("baseline_nll"));
    for (TabularColumn c : schema.columns()) {
      aggs.add(functions.avg(functions.col("column_nll." + c.name())));
    }
    Row m = clean.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    System.out.printf(Locale.ROOT, "train_seconds %.1f%n", trainSeconds);
    System.out.printf(Locale.ROOT, "heldout_rows %d%n", clean.count());
    System.out.printf(Locale.ROOT, "nll vae %.4f baseline %.4f%n", m.getDouble(0), m.getDouble(1));
    for (int j = 0; j < schema.columns().size(); j++) {
      System.out.printf(
          Locale.ROOT, "column_nll %s %.4f%n", schema.columns().get(j).name(), m.getDouble(2 + j));
    }
    for (int kind = 1; kind <= 2; kind++) {
      Dataset<Row> pair =
          scored
              .where("kind = 0 or kind = " + kind)
              .withColumn("label", functions.col("kind").equalTo(kind).cast("double"));
      double vae = auroc(pair, "neg_elbo");
      double base = auroc(pair, "baseline_nll");
      System.out.printf(
          Locale.ROOT,
          "auroc %s vae %.4f baseline %.4f%n",
          kind == 1 ? "destination" : "distance_x3",
          vae,
          base);
    }
    long flagged = scored.where("is_anomaly").count();
    System.out.printf(
        Locale.ROOT,
        "threshold %.4f flagged %d of %d held-out rows%n",
        threshold,
        flagged,
        scored.count());
  }

  private static double auroc(Dataset<Row> df, String score) {
    return new BinaryClassificationEvaluator()
        .setRawPredictionCol(score)
        .setLabelCol("label")
        .setMetricName("areaUnderROC")
        .evaluate(df.select(functions.col(score).cast("double").as(score), functions.col("label")));
  }

  /** The baseline's negative log-likelihood of one record, summed over its columns. */
  private static final class BaselineNll implements UDF1<Row, Double> {
    private static final long serialVersionUID = 1L;
    private final TabularSchema schema;

    BaselineNll(TabularSchema schema) {
      this.schema = schema;
    }

    @Override
    public Double call(Row r) {
      Object[] v = new Object[r.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.get(i);
      }
      float[] packed = new float[schema.packedWidth()];
      schema.encode(v, packed, 0, null);
      double[] lp = new double[schema.columns().size()];
      IndependentBaseline.columnLogProb(schema, packed, 0, lp);
      double s = 0;
      for (double x : lp) {
        s -= x;
      }
      return s;
    }
  }
}
