package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeEstimator;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TrainJob.run on a local session: what it may replace, and checkpoint directories that belong to
 * one run.
 */
class TrainJobTest {
  static final int DIM = 6;
  static SparkSession spark;

  @TempDir static Path shared;

  @TempDir Path tmp;

  static String input;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("TrainJobTest");
    SplittableRandom r = new SplittableRandom(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      double[] v = new double[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = r.nextDouble();
      }
      rows.add(RowFactory.create(i, Vectors.dense(v)));
    }
    StructType schema =
        new StructType().add("id", DataTypes.IntegerType).add("features", new VectorUDT());
    input = shared.resolve("train").toString();
    spark.createDataFrame(rows, schema).write().parquet(input);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Options of a tiny run writing to {@code model}, plus {@code more}. */
  static String[] args(String model, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--input",
                input,
                "--input-format",
                "parquet",
                "--model-out",
                model,
                "--epochs",
                "1",
                "--replicas",
                "2",
                "--latent-dim",
                "2",
                "--encoder-hidden",
                "4",
                "--decoder-hidden",
                "4",
                "--batch-size",
                "8",
                "--averaging-steps",
                "1"));
    a.addAll(Arrays.asList(more));
    return a.toArray(new String[0]);
  }

  static void train(String... args) {
    TrainJob.run(spark, TrainJob.parse(args));
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aForeignModelOutFolderIsRefusedAndKept() throws IOException {
    Path foreign = tmp.resolve("thesis");
    Files.createDirectories(foreign.resolve("sub"));
    Files.writeString(foreign.resolve("thesis.txt"), "years of work");
    for (String[] a : List.of(args(foreign.toString()), args(foreign.toString(), "--overwrite"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(a));
      assertTrue(
          e.getMessage().contains("--model-out " + foreign)
              && e.getMessage().contains("not a SparkVAE model"),
          e.getMessage());
      assertEquals(List.of("sub", "thesis.txt"), names(foreign));
    }
    assertEquals("years of work", Files.readString(foreign.resolve("thesis.txt")));
  }

  @Test
  void aForeignReportFolderIsRefusedBeforeTraining() throws IOException {
    Path foreign = tmp.resolve("docs");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.md"), "mine");
    String model = tmp.resolve("model").toString();
    for (String[] a :
        List.of(
            args(model, "--report-dir", foreign.toString()),
            args(model, "--report-dir", foreign.toString(), "--overwrite"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(a));
      assertTrue(e.getMessage().contains("--report-dir " + foreign), e.getMessage());
      assertEquals(List.of("notes.md"), names(foreign));
    }
    assertFalse(Files.exists(Path.of(model)), "refused before training");
  }

  @Test
  void aMetricsOutThatIsAFolderIsRefusedBeforeTraining() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("metrics"));
    String model = tmp.resolve("model").toString();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> train(args(model, "--metrics-out", folder.toString())));
    assertTrue(
        e.getMessage().startsWith("--metrics-out " + folder + " is a folder"), e.getMessage());
    assertFalse(Files.exists(Path.of(model)), "refused before training");
  }

  @Test
  void aPreviousModelAndReportAreReplacedOnlyWithOverwrite() throws IOException {
    String model = tmp.resolve("model").toString();
    String report = tmp.resolve("report").toString();
    train(args(model, "--report-dir", report, "--image-size", "none"));
    assertTrue(Files.exists(Path.of(model, "data", "model.json")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> train(args(model, "--report-dir", report, "--image-size", "none")));
    assertTrue(
        e.getMessage().contains("holds a previous SparkVAE model; add --overwrite"),
        e.getMessage());
    Files.writeString(Path.of(model, "old-marker"), ""); // so that the replacement shows
    train(args(model, "--report-dir", report, "--image-size", "none", "--overwrite"));
    assertFalse(Files.exists(Path.of(model, "old-marker")));
    assertEquals(2, VaeModel.load(model).vaeConfig().latentDim());
  }

  @Test
  void aNewRunRefusesACheckpointDirOfAnotherRunAndNeverDeletesItsCheckpoints() throws IOException {
    String ck = tmp.resolve("ck").toString();
    train(args(tmp.resolve("m1").toString(), "--checkpoint-dir", ck, "--epochs", "2"));
    List<String> first = names(Path.of(ck));
    assertFalse(first.isEmpty());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                train(
                    args(
                        tmp.resolve("m2").toString(),
                        "--checkpoint-dir",
                        ck,
                        "--checkpoint-every-rounds",
                        "1")));
    assertTrue(e.getMessage().contains("holds checkpoints of another run"), e.getMessage());
    // Told to share the directory: its own checkpoints, pruned among themselves; the other run's
    // stay.
    train(
        args(
            tmp.resolve("m2").toString(),
            "--checkpoint-dir",
            ck,
            "--checkpoint-every-rounds",
            "1",
            "--share-checkpoint-dir"));
    List<String> after = names(Path.of(ck));
    assertTrue(after.containsAll(first), "the first run's checkpoints are kept: " + after);
    assertEquals(first.size() + 3, after.size(), "the second run kept its own newest 3: " + after);
  }

  @Test
  void resumingACheckpointPastTheEpochsSaysSo() throws IOException {
    String ck = tmp.resolve("ck").toString();
    train(args(tmp.resolve("m1").toString(), "--checkpoint-dir", ck, "--epochs", "2"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                train(
                    args(
                        tmp.resolve("m2").toString(),
                        "--checkpoint-dir",
                        ck,
                        "--resume",
                        "--epochs",
                        "1")));
    assertTrue(e.getMessage().contains("already past --epochs 1 (2 epochs done)"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("m2")));
  }

  /**
   * Only a --kl-warmup-steps given sets the param, so that the tabular default applies otherwise.
   */
  @Test
  void klWarmupStepsIsSetOnTheEstimatorOnlyWhenGiven() {
    VaeEstimator given = TrainJob.estimator(TrainJob.parse(args("m", "--kl-warmup-steps", "0")));
    assertTrue(given.isSet(given.getParam("klWarmupSteps")));
    assertEquals(0L, given.getKlWarmupSteps());
    VaeEstimator absent = TrainJob.estimator(TrainJob.parse(args("m")));
    assertFalse(absent.isSet(absent.getParam("klWarmupSteps")));
  }

  @Test
  void onTheCommandLineTheLastSpellingOfAnOptionWins() {
    TrainJob.Parsed p =
        TrainJob.parse(args("m", "--latent-dim", "3", "--latentDim", "7", "--latent-dim", "9"));
    assertEquals(9, p.vae().build().latentDim());
    assertEquals(
        7,
        TrainJob.parse(args("m", "--latent-dim", "3", "--latentDim", "7"))
            .vae()
            .build()
            .latentDim());
  }

  @Test
  void
      relativePathsInAConfigFileAreTakenFromTheFilesFolderAndOnTheCommandLineFromTheCurrentDirectory()
          throws IOException {
    // The project's own file, read from another directory (the tests run in spark-job/).
    Path project = Path.of("..").toAbsolutePath().normalize();
    TrainJob.Parsed mnist =
        TrainJob.parse(new String[] {"--config", "../conf/mnist.conf", "--model-out", "m"});
    assertEquals(
        project.resolve("data/mnist/train-images-idx3-ubyte").toString(), mnist.job().input());
    assertEquals(
        project.resolve("data/mnist/t10k-images-idx3-ubyte").toString(),
        mnist.job().validationInput());
    assertEquals(
        "m", mnist.job().modelOut(), "a command-line path stays relative to the current directory");

    Path folder = Files.createDirectories(tmp.resolve("project/conf"));
    Path conf = folder.resolve("run.conf");
    Files.writeString(
        conf,
        "input = ../data/train\nmodel-out = out/model\ncheckpoint-dir = \"hdfs:///ck\"\n"
            + "metrics-out = /abs/metrics.jsonl\nreport-dir = \"file:report\"\nvalidation-input = \"\"\n");
    TrainJob.Parsed p = TrainJob.parse(new String[] {"--config", conf.toString()});
    assertEquals(tmp.resolve("project/data/train").toString(), p.job().input());
    assertEquals(folder.resolve("out/model").toString(), p.job().modelOut());
    assertEquals("hdfs:///ck", p.run().checkpointDir(), "a URI is left as it is");
    assertEquals("/abs/metrics.jsonl", p.run().metricsOut(), "an absolute path is left as it is");
    assertEquals("file:report", p.run().reportDir());
    assertEquals("", p.job().validationInput(), "empty is none");
    TrainJob.Parsed q =
        TrainJob.parse(new String[] {"--config", conf.toString(), "--input", "data/x"});
    assertEquals(
        "data/x",
        q.job().input(),
        "the command line overrides the file, relative to the current directory");

    Path scoreConf = folder.resolve("score.conf");
    Files.writeString(scoreConf, "model = ../runs/m\ninput = in\noutput = ../runs/scores\n");
    ScoreJobOptions s =
        ScoreJob.parse(new String[] {"--config", scoreConf.toString(), "--run-date", "2026-01-01"});
    assertEquals(tmp.resolve("project/runs/m").toString(), s.model());
    assertEquals(folder.resolve("in").toString(), s.input());
    assertEquals(tmp.resolve("project/runs/scores").toString(), s.output());
  }

  @Test
  void aConfigFileWithTwoSpellingsOfOneOptionIsAnError() throws IOException {
    Path conf = tmp.resolve("both.conf");
    Files.writeString(conf, "latent-dim = 3\nlatentDim = 7\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainJob.parse(args("m", "--config", conf.toString())));
    assertTrue(
        e.getMessage().startsWith("config file " + conf + " sets latentDim twice"), e.getMessage());
  }

  @Test
  void anExplicitInputDimIsAContractAndLongerLibsvmRowsAreBadRows() throws IOException {
    Path data = tmp.resolve("rows.libsvm");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append(i % 2).append(" 1:0.5 3:0.25 ").append(i == 23 ? "50:1.0" : "6:0.75").append('\n');
    }
    Files.writeString(data, sb.toString());
    String model = tmp.resolve("m").toString();
    List<String> a = new ArrayList<>(List.of(args(model)));
    a.set(a.indexOf(input), data.toString());
    a.set(a.indexOf("parquet"), "libsvm");
    a.addAll(List.of("--input-dim", "10"));
    Exception e = assertThrows(Exception.class, () -> train(a.toArray(new String[0])));
    assertTrue(JobMain.rootMessage(e).contains("1 not of size 10"), JobMain.rootMessage(e));
    a.addAll(List.of("--bad-row-policy", "skip"));
    train(a.toArray(new String[0]));
    assertEquals(10, VaeModel.load(model).vaeConfig().inputDim());
  }

  @Test
  void aCommandLineRunAndAnEstimatorFitWithTheSameSettingsGiveTheSameModel() throws IOException {
    String model = tmp.resolve("cli").toString();
    String metrics = tmp.resolve("metrics.jsonl").toString();
    VaeModel cli =
        TrainJob.run(
            spark,
            TrainJob.parse(
                args(
                    model,
                    "--metrics-out",
                    metrics,
                    "--validation-fraction",
                    "0.25",
                    "--epochs",
                    "2")));
    List<String> cliLines = Files.readAllLines(Path.of(metrics));
    VaeModel loaded = VaeModel.load(model);

    // The same data (the job's reader) and the same settings, through the Spark ML API.
    org.apache.spark.sql.Dataset<Row> df =
        InputReader.read(
            spark,
            input,
            InputFormat.PARQUET,
            "features",
            "",
            Math.max(2, spark.sparkContext().defaultParallelism()));
    VaeModel api =
        new io.sparkvae.spark.ml.VaeEstimator()
            .setEpochs(2)
            .setReplicas(2)
            .setLatentDim(2)
            .setEncoderHidden(4)
            .setDecoderHidden(4)
            .setBatchSize(8)
            .setAveragingSteps(1)
            .setValidationFraction(0.25)
            .setMetricsOut(metrics)
            .fit(df);
    List<String> apiLines = Files.readAllLines(Path.of(metrics));

    for (VaeModel m : List.of(cli, loaded)) {
      assertArrayEquals(api.trainedVae().params(), m.trainedVae().params(), "the same bits");
      assertEquals(api.vaeConfig(), m.vaeConfig());
      assertEquals(api.params().length, m.params().length);
      for (org.apache.spark.ml.param.Param<?> p : api.params()) {
        org.apache.spark.ml.param.Param<Object> q = m.getParam(p.name());
        assertEquals(api.isSet(p), m.isSet(q), p.name() + " set on one model only");
        assertEquals(
            String.valueOf(valueText(api.getOrDefault(p))),
            String.valueOf(valueText(m.getOrDefault(q))),
            p.name());
      }
      assertEquals(
          2, m.trainingHistory().size(), "the command line's model keeps its training history");
      for (int e = 0; e < 2; e++) {
        io.sparkvae.spark.train.EpochMetrics a = api.trainingHistory().get(e);
        io.sparkvae.spark.train.EpochMetrics b = m.trainingHistory().get(e);
        assertEquals(
            List.of(
                a.epoch(),
                a.trainNegElbo(),
                a.valNegElbo(),
                a.rounds(),
                a.examples(),
                a.step(),
                a.round()),
            List.of(
                b.epoch(),
                b.trainNegElbo(),
                b.valNegElbo(),
                b.rounds(),
                b.examples(),
                b.step(),
                b.round()),
            "epoch " + (e + 1));
      }
      java.util.Map<String, String> meta = new java.util.TreeMap<>(m.trainedVae().metadata());
      java.util.Map<String, String> apiMeta = new java.util.TreeMap<>(api.trainedVae().metadata());
      assertEquals(apiMeta.keySet(), meta.keySet(), "one metadata vocabulary");
      for (String key :
          List.of(
              "trainedBy",
              "featuresCol",
              "replicas",
              "epochs",
              "steps",
              "trainNegElbo",
              "valNegElbo")) {
        assertEquals(apiMeta.get(key), meta.get(key), key);
      }
    }
    assertEquals(
        deterministic(apiLines), deterministic(cliLines), "the metrics files, timings aside");
  }

  private static Object valueText(Object v) {
    return v instanceof int[] a ? Arrays.toString(a) : v;
  }

  /** The metrics lines without the fields that measure time or memory. */
  private static List<String> deterministic(List<String> lines) {
    return lines.stream()
        .map(
            l ->
                l.replaceAll(
                    "\"(samples_per_sec|seconds|averaging_seconds|executor_rss_bytes|replica_cpu_seconds|driver_jit_seconds|executor_jit_seconds)"
                        + "\":[^,}]*",
                    ""))
        .toList();
  }
}
