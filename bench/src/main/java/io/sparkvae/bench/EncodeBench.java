package io.sparkvae.bench;

import ai.djl.Device;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.train.Evaluation;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.spark.jobs.IdxRelation;
import io.sparkvae.spark.ml.VaeEstimator;
import io.sparkvae.spark.ml.VaeModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Benchmarks and end-to-end checks of the Spark ML API on MNIST, run through spark-submit (see
 * submit-scripts/bench.sh):
 *
 * <ul>
 *   <li>{@code fit-pipeline DATA_DIR OUT EPOCHS}: fits {@code Pipeline(VectorAssembler →
 *       VaeEstimator)} on the 60,000 training images and saves it to OUT;
 *   <li>{@code check-pipeline DATA_DIR OUT}: in a fresh JVM, loads the saved pipeline, transforms
 *       the 10,000 test images and compares the mean of the -ELBO column with model-lib's own
 *       evaluation of the same rows;
 *   <li>{@code encode DATA_DIR OUT REPS}: encoding rows/s of model-lib directly, of {@code
 *       VaeModel.transform} on a cached DataFrame (no-op sink) and of MLlib's {@code
 *       PCAModel.transform} with k = 50 on the same rows; a Markdown table (median, min-max) and
 *       for scripts one line {@code rate <lib|transform|pca> MEDIAN MIN MAX} each.
 * </ul>
 */
public final class EncodeBench {
  private EncodeBench() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("sparkvae-bench " + args[0]).getOrCreate();
    try {
      switch (args[0]) {
        case "fit-pipeline" -> fit(spark, args[1], args[2], Integer.parseInt(args[3]));
        case "check-pipeline" -> check(spark, args[1], args[2]);
        case "encode" -> encode(spark, args[1], args[2], Integer.parseInt(args[3]));
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } finally {
      spark.stop();
    }
  }

  static org.apache.spark.sql.Dataset<Row> mnist(SparkSession spark, String dir, boolean train) {
    return IdxRelation.read(
        spark,
        dir + (train ? "/train-images-idx3-ubyte" : "/t10k-images-idx3-ubyte"),
        spark.sparkContext().defaultParallelism());
  }

  static void fit(SparkSession spark, String dir, String out, int epochs) throws Exception {
    VectorAssembler assembler =
        new VectorAssembler().setInputCols(new String[] {"features"}).setOutputCol("pixels");
    VaeEstimator vae =
        new VaeEstimator()
            .setFeaturesCol("pixels")
            .setEpochs(epochs)
            .setReplicas(2)
            .setKlEstimator("analytic")
            .setNegElboCol("neg_elbo");
    long t0 = System.nanoTime();
    PipelineModel model =
        new Pipeline().setStages(new PipelineStage[] {assembler, vae}).fit(mnist(spark, dir, true));
    System.out.printf(
        Locale.ROOT, "fit: %d epochs in %.1f s%n", epochs, (System.nanoTime() - t0) / 1e9);
    model.write().overwrite().save(out);
    System.out.println("pipeline saved to " + out);
  }

  static void check(SparkSession spark, String dir, String out) throws Exception {
    PipelineModel model = PipelineModel.load(out);
    org.apache.spark.sql.Dataset<Row> scored = model.transform(mnist(spark, dir, false));
    Row agg =
        scored
            .agg(functions.avg("neg_elbo"), functions.count("z_mean"), functions.count("z_std"))
            .head();
    VaeModel vae = (VaeModel) model.stages()[1];
    Dataset test = Dataset.mnist(Path.of(dir), false);
    double direct;
    try (VaeInference inf =
        new VaeInference(vae.vaeConfig(), vae.trainedVae().params(), Device.cpu())) {
      direct = Evaluation.evaluate(inf, test, 1000, 1, 7).negElbo();
    }
    System.out.printf(
        Locale.ROOT,
        "check: %d test rows with z_mean and %d with z_std; mean -ELBO from the loaded pipeline %.3f,"
            + " from model-lib on the same rows %.3f (difference %.3f nats)%n",
        agg.getLong(1),
        agg.getLong(2),
        agg.getDouble(0),
        direct,
        agg.getDouble(0) - direct);
  }

  static void encode(SparkSession spark, String dir, String out, int reps) throws Exception {
    PipelineModel pipeline = PipelineModel.load(out);
    VaeModel vae =
        ((VaeModel) pipeline.stages()[1])
            .copy(new org.apache.spark.ml.param.ParamMap())
            .setFeaturesCol("features")
            .setNegElboCol(""); // the pipeline scores too; this measures encoding alone
    org.apache.spark.sql.Dataset<Row> rows = mnist(spark, dir, true).select("features").cache();
    long n = rows.count();
    PCAModel pca = new PCA().setInputCol("features").setOutputCol("pca").setK(50).fit(rows);
    double[] vaeRate = new double[reps];
    double[] pcaRate = new double[reps];
    double[] libRate = new double[reps];
    double[] scanRate = new double[reps];
    Dataset train = Dataset.mnist(Path.of(dir), true);
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      rows.write().format("noop").mode("overwrite").save();
      scanRate[r] = n / ((System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      vae.transform(rows).write().format("noop").mode("overwrite").save();
      vaeRate[r] = n / ((System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      pca.transform(rows).write().format("noop").mode("overwrite").save();
      pcaRate[r] = n / ((System.nanoTime() - t0) / 1e9);
      try (VaeInference inf =
          new VaeInference(vae.vaeConfig(), vae.trainedVae().params(), Device.cpu())) {
        float[] batch = new float[1024 * train.dim()];
        t0 = System.nanoTime();
        for (int start = 0; start < train.rows(); start += 1024) {
          int m = Math.min(1024, train.rows() - start);
          System.arraycopy(train.features(), start * train.dim(), batch, 0, m * train.dim());
          inf.encode(batch, m);
        }
        libRate[r] = train.rows() / ((System.nanoTime() - t0) / 1e9);
      }
    }
    System.out.printf(
        Locale.ROOT, "encode: %d rows, %d repetitions (median, min-max rows/s)%n", n, reps);
    System.out.println("| encoder | rows/s median | min-max |");
    System.out.println("| --- | --- | --- |");
    row("lib", "model-lib VaeInference.encode, 1 thread, batches of 1024", libRate);
    row(
        "transform",
        "VaeModel.transform (z_mean, z_std), "
            + spark.sparkContext().master()
            + ", cached DataFrame, noop sink",
        vaeRate);
    row("pca", "MLlib PCAModel.transform k=50, same rows", pcaRate);
    row("scan", "the cached DataFrame alone, noop sink (the ceiling of both transforms)", scanRate);
  }

  /** A Markdown row, and for scripts a line {@code rate KEY median min max} (rows/s). */
  private static void row(String key, String name, double[] rates) {
    double[] s = rates.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f-%.0f |%n", name, median, s[0], s[n - 1]);
    System.out.printf(Locale.ROOT, "rate %s %.1f %.1f %.1f%n", key, median, s[0], s[n - 1]);
  }
}
