package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
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
 * ScoreJob's entry point on a local session: --bad-row-policy skip counts, fail keeps the old day.
 */
class ScoreJobTest {
  static final int DIM = 6;
  static final int N = 30;
  static SparkSession spark;

  @TempDir static Path tmp;

  static String model;
  static String input;

  /** Row id → what is wrong with it: null features, 4 values, NaN, +Inf, 1.5, -0.25. */
  static final Map<Long, String> BAD =
      Map.of(2L, "null", 7L, "size", 11L, "nan", 12L, "inf", 20L, "above", 29L, "below");

  @BeforeAll
  static void start() throws IOException {
    spark = SparkTestSession.start("ScoreJobTest");
    VaeConfig config =
        VaeConfig.builder().inputDim(DIM).encoderHidden(5).decoderHidden(5).latentDim(2).build();
    model = tmp.resolve("model").toString();
    new VaeModel(new TrainedVae(config, ParamInit.initialize(ParamLayout.of(config), 3), Map.of()))
        .write()
        .save(model);
    SplittableRandom r = new SplittableRandom(1);
    List<Row> rows = new ArrayList<>();
    for (long id = 0; id < N; id++) {
      List<Double> f = new ArrayList<>();
      for (int j = 0; j < DIM; j++) {
        f.add(r.nextDouble());
      }
      String bad = BAD.getOrDefault(id, "");
      switch (bad) {
        case "size" -> f = f.subList(0, 4);
        case "nan" -> f.set(1, Double.NaN);
        case "inf" -> f.set(5, Double.POSITIVE_INFINITY);
        case "above" -> f.set(0, 1.5);
        case "below" -> f.set(3, -0.25);
        default -> {}
      }
      rows.add(
          RowFactory.create(
              id,
              bad.equals("null")
                  ? null
                  : scala.jdk.javaapi.CollectionConverters.asScala(f).toSeq()));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType, true), true);
    input = tmp.resolve("input").toString();
    // One file: one input partition, read in row order.
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(input);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  static ScoreJob.Summary score(String policy, String day) throws IOException {
    return ScoreJob.run(
        spark,
        ScoreJob.parse(
            new String[] {
              "--model",
              model,
              "--input",
              input,
              "--output",
              tmp.resolve("scores").toString(),
              "--run-date",
              day,
              "--bad-row-policy",
              policy,
              "--inference-batch-size",
              "8"
            }));
  }

  @Test
  void skipWritesNullScoresForBadRowsAndCountsThemByReason() throws IOException {
    ScoreJob.Summary s = score("skip", "2026-01-01");
    assertEquals(new ScoreJob.Summary(30, 1, 1, 2, 2), s);
    assertEquals(5, s.skipped());
    assertEquals(24, s.scored());
    List<Row> written =
        spark
            .read()
            .parquet(tmp.resolve("scores").resolve("run_date=2026-01-01").toString())
            .orderBy("id")
            .collectAsList();
    assertEquals(N, written.size());
    for (Row r : written) {
      long id = r.getLong(r.fieldIndex("id"));
      for (String c : List.of("z_mean", "z_std", "neg_elbo")) {
        assertEquals(BAD.containsKey(id), r.isNullAt(r.fieldIndex(c)), c + " of row " + id);
      }
    }
  }

  @Test
  void failFailsTheRunWithTheCountsAndLeavesThePreviousPartitionIntact() throws IOException {
    Path day = tmp.resolve("scores").resolve("run_date=2026-02-01");
    ScoreJob.Summary first = score("skip", "2026-02-01");
    assertEquals(N, first.rows());
    Map<String, byte[]> before = contents(day);
    assertFalse(before.isEmpty());

    Exception e = assertThrows(Exception.class, () -> score("fail", "2026-02-01"));
    String root = JobMain.rootMessage(e);
    assertTrue(
        root.contains(
            "features column 'features' has 5 unusable row(s) in partition 0 (of 30 rows): 1 not"
                + " of size 6, 2 with NaN or Inf, 2 with values outside [0, 1] (the Bernoulli likelihood needs them in"
                + " it); first rows (input partition:row): 0:7, 0:11, 0:12, 0:20, 0:29 (badRowPolicy=skip gives them null"
                + " outputs)"),
        root);

    Map<String, byte[]> after = contents(day);
    assertEquals(before.keySet(), after.keySet(), "the partition's files");
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    try (Stream<Path> s = Files.list(day.getParent())) {
      assertEquals(
          Set.of("run_date=2026-02-01"),
          Set.copyOf(
              s.map(p -> p.getFileName().toString())
                  .filter(n -> !n.equals("run_date=2026-01-01"))
                  .toList()),
          "no staging directory left");
    }
  }

  static String[] options(String modelDir, String day, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--model",
                modelDir,
                "--input",
                input,
                "--output",
                tmp.resolve("scores").toString(),
                "--run-date",
                day,
                "--bad-row-policy",
                "skip"));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  @Test
  void thePartitionColumnAndRunDateCannotNameAPathOutsideTheOutput() {
    IllegalArgumentException pc =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScoreJob.parse(
                    options(model, "2026-01-03", "--partition-column", "../../escape_pc")));
    assertTrue(
        pc.getMessage().startsWith("invalid value for --partition-column: '../../escape_pc'"),
        pc.getMessage());
    for (String day : List.of("..", ".", "_hidden", "a/../b")) {
      IllegalArgumentException rd =
          assertThrows(
              IllegalArgumentException.class, () -> ScoreJob.parse(options(model, day)), day);
      assertTrue(
          rd.getMessage().startsWith("invalid value for --run-date: '" + day + "'"),
          rd.getMessage());
    }
  }

  @Test
  void aSecondRunForTheSameDayIsRefusedAndLeavesTheFirstOnesStagingAlone()
      throws IOException, InterruptedException {
    Path scores = tmp.resolve("scores");
    Path staging =
        scores.resolve("_staging-run_date=2026-03-01-0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11");
    Files.createDirectories(staging.resolve("_temporary/0"));
    org.apache.hadoop.fs.Path lockFile =
        new org.apache.hadoop.fs.Path(scores.resolve("_sparkvae-lock-run_date=2026-03-01").toUri());
    io.sparkvae.spark.fs.OutputLock first =
        io.sparkvae.spark.fs.OutputLock.acquire(
            org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
            lockFile,
            "the day",
            java.time.Duration.ofHours(1));
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> ScoreJob.run(spark, ScoreJob.parse(options(model, "2026-03-01"))));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "another run is writing the partition " + scores + "/run_date=2026-03-01 ("),
          e.getMessage());
      assertTrue(
          Files.isDirectory(staging.resolve("_temporary/0")), "the first run's staging directory");
    } finally {
      first.close();
    }
    assertFalse(Files.exists(Path.of(lockFile.toUri())), "released");
    // A lock left by a run that died long ago is stale: taken over.
    Files.writeString(
        Path.of(lockFile.toUri()), "owner=gone\nstarted=2020-01-01T00:00:00Z\ntoken=x\n");
    assertEquals(N, ScoreJob.run(spark, ScoreJob.parse(options(model, "2026-03-01"))).rows());
    assertFalse(Files.exists(Path.of(lockFile.toUri())));
    // So is a fresh lock of a process of this host that is gone (a run killed with SIGKILL).
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
    String name = java.lang.management.ManagementFactory.getRuntimeMXBean().getName();
    Files.writeString(
        Path.of(lockFile.toUri()),
        "owner=killed\nstarted="
            + java.time.Instant.now()
            + "\npid="
            + gone.pid()
            + "\nhost="
            + name.substring(name.indexOf('@') + 1)
            + "\ntoken=y\n");
    assertEquals(N, ScoreJob.run(spark, ScoreJob.parse(options(model, "2026-03-01"))).rows());
  }

  @Test
  void aModelRenamedAsideByACrashIsStillFound() throws IOException {
    Path aside = tmp.resolve("_replaced-crashed-0f6c7a52-9a0e-4f43-8d0b-3b1f8c2d9e11");
    try (Stream<Path> files = Files.walk(Path.of(model))) {
      for (Path p : files.toList()) {
        Path to = aside.resolve(Path.of(model).relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    String crashed = tmp.resolve("crashed").toString();
    assertEquals(N, ScoreJob.run(spark, ScoreJob.parse(options(crashed, "2026-03-02"))).rows());
  }

  /** Every file under {@code dir} by relative name, with its bytes. */
  static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> m = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }
}
