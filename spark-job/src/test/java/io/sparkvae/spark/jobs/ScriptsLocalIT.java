package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.spark.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TrainJob then ScoreJob through the real scripts, Spark local[2], on a small MNIST subset. */
class ScriptsLocalIT {
  @TempDir Path tmp;

  @Test
  void trainThenScoreInLocalMode() throws Exception {
    Path train = Scripts.subset(tmp.resolve("data"), true, 3000);
    Path test = Scripts.subset(tmp.resolve("data"), false, 500);
    Path model = tmp.resolve("model");
    Path metrics = tmp.resolve("metrics.jsonl");
    Path report = tmp.resolve("report");
    Path checkpoints = tmp.resolve("checkpoints");
    // One epoch with a checkpoint, then a resumed run that goes on to two.
    Scripts.Result first =
        Scripts.ok(
            Scripts.run(
                Map.of(),
                600,
                "train.sh",
                "--master",
                "local[2]",
                "--",
                "--config",
                "conf/mnist.conf",
                "--input",
                train.toString(),
                "--validation-input",
                test.toString(),
                "--epochs",
                "1",
                "--model-out",
                model.toString(),
                "--checkpoint-dir",
                checkpoints.toString()));
    assertTrue(first.output().contains("epoch 1/1"), first.output());
    assertTrue(
        FaultToleranceIT.checkpoint(checkpoints, 1) != null,
        "checkpoint written after the epoch's single round");
    Scripts.Result r =
        Scripts.ok(
            Scripts.run(
                Map.of(),
                600,
                "train.sh",
                "--master",
                "local[2]",
                "--",
                "--config",
                "conf/mnist.conf",
                "--input",
                train.toString(),
                "--validation-input",
                test.toString(),
                "--epochs",
                "2",
                "--model-out",
                model.toString(),
                "--metrics-out",
                metrics.toString(),
                "--report-dir",
                report.toString(),
                "--checkpoint-dir",
                checkpoints.toString(),
                "--resume",
                "--overwrite"));
    assertTrue(
        r.output().contains("epoch 2/2") && !r.output().contains("epoch 1/2"),
        "the resumed run trains epoch 2 only:\n" + r.output());

    List<String> lines = Files.readAllLines(metrics);
    assertEquals(2, lines.size(), "one JSON line per epoch");
    for (String key :
        new String[] {
          "\"epoch\"",
          "\"train_neg_elbo\"",
          "\"val_neg_elbo\"",
          "\"samples_per_sec\"",
          "\"seconds\""
        }) {
      assertTrue(lines.get(1).contains(key), key + " in " + lines.get(1));
    }
    com.google.gson.JsonObject epoch2 =
        com.google.gson.JsonParser.parseString(lines.get(1)).getAsJsonObject();
    assertEquals(2, epoch2.get("round").getAsLong(), "one round per epoch");
    // Parameters and both Adam moments of the 784-400-50 network as float32: 3 x 4 x 688,884 bytes
    // broadcast, the same per replica back; serialization adds a little.
    long arrays = 3L * 4 * 688_884;
    long payload = epoch2.get("round_payload_bytes").getAsLong();
    assertTrue(payload >= 3 * arrays && payload < 3 * arrays * 1.01, "round payload " + payload);
    long rss = epoch2.get("executor_rss_bytes").getAsLong();
    assertTrue(rss > 100L << 20 && rss < 16L << 30, "executor RSS " + rss);
    TrainedVae data = ModelFormat.load(model.resolve("data"));
    assertEquals(784, data.config().inputDim());
    assertTrue(Files.exists(model.resolve("metadata")), "Spark metadata written");
    for (String png :
        new String[] {"learning_curve.png", "reconstructions.png", "samples.png", "latent.png"}) {
      byte[] b = Files.readAllBytes(report.resolve(png));
      assertTrue(
          b.length > 2000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G',
          png + " is a PNG of sensible size");
      assertTrue(
          Files.readString(report.resolve("index.html")).contains(png), "index.html shows " + png);
    }

    Path scores = tmp.resolve("scores");
    Scripts.ok(
        Scripts.run(
            Map.of(),
            300,
            "score.sh",
            "--master",
            "local[2]",
            "--",
            "--model",
            model.toString(),
            "--input",
            test.toString(),
            "--input-format",
            "idx",
            "--output",
            scores.toString(),
            "--run-date",
            "2026-11-24"));
    SparkSession spark = SparkTestSession.start("ScriptsLocalIT");
    try {
      List<Row> rows =
          spark
              .read()
              .parquet(scores.toString())
              .select("id", "run_date", "neg_elbo")
              .collectAsList();
      assertEquals(500, rows.size());
      assertEquals(
          500, rows.stream().map(x -> x.getLong(0)).distinct().count(), "no duplicate ids");
      double mean = rows.stream().mapToDouble(x -> x.getDouble(2)).average().orElseThrow();
      assertTrue(mean > 50 && mean < 300, "mean -ELBO of the scored test images: " + mean);
      assertEquals("2026-11-24", String.valueOf(rows.get(0).get(1)));
    } finally {
      spark.stop();
    }

    // Kill -9 a re-run of the same day while it writes: the day's previous rows stay intact.
    byte[] before = partitionListing(scores.resolve("run_date=2026-11-24"));
    String[] rescore = {
      "--master",
      "local[2]",
      "--",
      "--model",
      model.toString(),
      "--input",
      test.toString(),
      "--input-format",
      "idx",
      "--output",
      scores.toString(),
      "--run-date",
      "2026-11-24"
    };
    try (Scripts.Running run = Scripts.start(Map.of(), "score.sh", rescore)) {
      boolean staging = false;
      for (int i = 0; i < 3000 && !staging && run.process.isAlive(); i++) {
        try (java.util.stream.Stream<Path> s = Files.list(scores)) {
          staging = s.anyMatch(p -> p.getFileName().toString().startsWith("_staging-"));
        }
        Thread.sleep(20);
      }
      assertTrue(staging, "the re-run reached its write");
      new ProcessBuilder("kill", "-9", String.valueOf(run.process.pid())).start().waitFor();
      run.await(60);
    }
    assertTrue(
        java.util.Arrays.equals(before, partitionListing(scores.resolve("run_date=2026-11-24"))),
        "the partition is untouched by the killed run");
    Scripts.ok(Scripts.run(Map.of(), 300, "score.sh", rescore));
    SparkSession again = SparkTestSession.start("ScriptsLocalIT-rescore");
    try {
      List<Row> rows = again.read().parquet(scores.toString()).select("id").collectAsList();
      assertEquals(500, rows.size(), "complete after the re-run");
      assertEquals(500, rows.stream().map(x -> x.getLong(0)).distinct().count(), "no duplicates");
    } finally {
      again.stop();
    }
    try (java.util.stream.Stream<Path> s = Files.list(scores)) {
      assertTrue(
          s.noneMatch(p -> p.getFileName().toString().startsWith("_staging-")),
          "leftover staging removed");
    }
  }

  /** Names, sizes and contents of a partition's files, to compare before and after. */
  static byte[] partitionListing(Path dir) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted().toList()) {
        out.write(dir.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (Files.isRegularFile(p)) {
          out.write(Files.readAllBytes(p));
        }
      }
    }
    return out.toByteArray();
  }

  @Test
  void badOptionsFailBeforeSparkStartsAndNameTheOption() throws Exception {
    Scripts.Result unknown = Scripts.run(Map.of(), 120, "train.sh", "--", "--epochz", "3");
    assertEquals(2, unknown.exit(), unknown.output());
    assertTrue(unknown.output().contains("unknown option --epochz"), unknown.output());

    Scripts.Result bad =
        Scripts.run(
            Map.of(),
            120,
            "train.sh",
            "--",
            "--input",
            "x",
            "--model-out",
            "y",
            "--latent-dim",
            "zero");
    assertEquals(2, bad.exit(), bad.output());
    assertTrue(bad.output().contains("invalid value for latentDim: 'zero'"), bad.output());

    Scripts.Result missing =
        Scripts.run(
            Map.of(),
            120,
            "score.sh",
            "--",
            "--model",
            "m",
            "--output",
            "o",
            "--run-date",
            "2026-01-01");
    assertEquals(2, missing.exit(), missing.output());
    assertTrue(missing.output().contains("missing --input"), missing.output());

    Scripts.Result noFile =
        Scripts.run(
            Map.of(),
            300,
            "train.sh",
            "--master",
            "local[1]",
            "--",
            "--input",
            tmp.resolve("nothing-here").toString(),
            "--model-out",
            tmp.resolve("m").toString());
    assertNotEquals(0, noFile.exit(), noFile.output());
    assertTrue(noFile.output().contains("does not exist"), noFile.output());
    assertTrue(!Files.exists(tmp.resolve("m")), "no model written by a failed run");
  }
}
