package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.spark.SparkTestSession;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs against a real standalone cluster from {@code local-cluster.sh}: a Master and two
 * Workers on 127.0.0.1, each its own JVM, executors launched by the workers. Training runs with
 * {@code spark.rpc.message.maxSize=1} (MiB), which a real executor enforces on task closures: the
 * 2.8 MB of parameters must travel by broadcast.
 */
class LocalClusterIT {
  @TempDir Path tmp;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void trainAndScoreOnAStandaloneClusterWithIdempotentDailyPartitions() throws Exception {
    int port = freePort();
    Map<String, String> env =
        Map.of(
            "SPARKVAE_CLUSTER_DIR", tmp.resolve("cluster").toString(),
            "SPARKVAE_MASTER_PORT", String.valueOf(port),
            "SPARKVAE_WORKER_MEMORY", "1500m");
    String master = "spark://127.0.0.1:" + port;
    try {
      Scripts.ok(Scripts.run(env, 180, "local-cluster.sh", "start", "2"));
      Path train = Scripts.subset(tmp.resolve("data"), true, 2000);
      Path test = Scripts.subset(tmp.resolve("data"), false, 300);
      Path model = tmp.resolve("model");
      // The training input by a path relative to the driver's working directory (the project, where
      // the scripts run): executors run in their workers' work dirs, so the driver must hand them a
      // qualified path (IDX inputs failed here with "File data/mnist/... does not exist").
      String relativeTrain =
          Scripts.projectDir().toAbsolutePath().relativize(train.toAbsolutePath()).toString();
      Scripts.Result r =
          Scripts.ok(
              Scripts.run(
                  env,
                  900,
                  "train.sh",
                  "--master",
                  master,
                  "--conf",
                  "spark.rpc.message.maxSize=1",
                  "--conf",
                  "spark.executor.memory=1g",
                  "--conf",
                  "spark.cores.max=2",
                  "--",
                  "--config",
                  "conf/mnist.conf",
                  "--input",
                  relativeTrain,
                  "--validation-input",
                  test.toString(),
                  "--epochs",
                  "1",
                  "--replicas",
                  "2",
                  "--model-out",
                  model.toString()));
      assertTrue(r.output().contains("epoch 1/1"), r.output());
      // On a cluster the executors' JVMs compile the replicas' code, and the epoch says how much.
      assertTrue(r.output().contains("the executors' JIT"), r.output());
      assertTrue(Files.exists(model.resolve("data/model.json")), "model written");

      Path scores = tmp.resolve("scores");
      String[] score = {
        "--master",
        master,
        "--conf",
        "spark.executor.memory=1g",
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
      Scripts.ok(Scripts.run(env, 600, "score.sh", score));
      List<Row> first = read(scores, "2026-11-24");
      assertEquals(300, first.size());

      // Re-scoring the same day replaces it: same rows, no duplicates.
      Scripts.ok(Scripts.run(env, 600, "score.sh", score));
      List<Row> again = read(scores, "2026-11-24");
      assertEquals(300, again.size());
      assertEquals(300, again.stream().map(x -> x.getLong(0)).distinct().count());
      assertEquals(first, again, "a scheduled day re-run gives the same scores");

      // Another day leaves the first untouched.
      score[score.length - 1] = "2026-11-25";
      Scripts.ok(Scripts.run(env, 600, "score.sh", score));
      assertEquals(first, read(scores, "2026-11-24"));
      assertEquals(300, read(scores, "2026-11-25").size());
    } finally {
      Scripts.run(env, 120, "local-cluster.sh", "stop");
    }
  }

  static List<Row> read(Path scores, String day) {
    SparkSession spark = SparkTestSession.start("LocalClusterIT-read");
    try {
      return spark
          .read()
          .parquet(scores.toString())
          .where("run_date = '" + day + "'")
          .select("id", "neg_elbo")
          .orderBy("id")
          .collectAsList();
    } finally {
      spark.stop();
    }
  }
}
