package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.format.ModelFormat;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults that lose no finished work. Training is deterministic given (seed, round, partition), so
 * recovery is checked bit for bit against a fault-free run.
 */
class FaultToleranceIT {
  @TempDir Path tmp;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String[] trainArgs(
      String master, Path train, Path model, Path checkpoints, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--master", master));
    if (master.startsWith("spark://")) {
      args.addAll(List.of("--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=2"));
    }
    args.addAll(
        List.of(
            "--",
            "--config",
            "conf/mnist.conf",
            "--input",
            train.toString(),
            "--validation-input",
            "",
            "--epochs",
            "3",
            "--replicas",
            "2",
            "--averaging-steps",
            "3",
            "--model-out",
            model.toString()));
    if (checkpoints != null) {
      args.addAll(List.of("--checkpoint-dir", checkpoints.toString()));
    }
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  static float[] params(Path model) throws Exception {
    return ModelFormat.load(model.resolve("data")).params();
  }

  @Test
  void losingAnExecutorMidTrainingGivesTheFaultFreeParameters() throws Exception {
    int port = freePort();
    Path clusterDir = tmp.resolve("cluster");
    Map<String, String> env =
        Map.of(
            "SPARKVAE_CLUSTER_DIR",
            clusterDir.toString(),
            "SPARKVAE_MASTER_PORT",
            String.valueOf(port),
            "SPARKVAE_WORKER_MEMORY",
            "1500m");
    String master = "spark://127.0.0.1:" + port;
    Path train = Scripts.subset(tmp.resolve("data"), true, 3000);
    try {
      Scripts.ok(Scripts.run(env, 180, "local-cluster.sh", "start", "2"));
      Path clean = tmp.resolve("clean");
      Scripts.ok(Scripts.run(env, 900, "train.sh", trainArgs(master, train, clean, null)));

      Path faulty = tmp.resolve("faulty");
      try (Scripts.Running run =
          Scripts.start(env, "train.sh", trainArgs(master, train, faulty, null))) {
        run.awaitOutput("epoch 1/3", 600);
        Optional<ProcessHandle> executor =
            ProcessHandle.allProcesses()
                .filter(
                    p ->
                        p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")
                            && p.info().commandLine().orElse("").contains(clusterDir.toString()))
                .findFirst();
        assertTrue(executor.isPresent(), "an executor JVM of this cluster is running");
        // kill -9: no shutdown hook, no goodbye to the driver.
        new ProcessBuilder("kill", "-9", String.valueOf(executor.get().pid())).start().waitFor();
        Scripts.Result r = run.await(900);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("epoch 3/3"), r.output());
      }
      assertArrayEquals(params(clean), params(faulty), "parameters after losing an executor");
    } finally {
      Scripts.run(env, 120, "local-cluster.sh", "stop");
    }
  }

  @Test
  void aKilledDriverResumesFromAMidEpochCheckpointToTheUninterruptedParameters() throws Exception {
    Path train = Scripts.subset(tmp.resolve("data"), true, 3000);
    Path clean = tmp.resolve("clean");
    Scripts.ok(Scripts.run(Map.of(), 600, "train.sh", trainArgs("local[2]", train, clean, null)));

    // 1,500 rows per replica, batchSize 256 shared by the 2 replicas (128 each): 12 minibatches per
    // epoch, 4 rounds of 3. Round 9 is in the middle of epoch 3. The killed run is told to go on
    // for
    // 30 epochs (epochs do not define the run) so that it is still training when killed;
    // checkpoints
    // it wrote after round 9 are removed before the resume, as if it had died right after writing
    // round 9's.
    Path model = tmp.resolve("model");
    Path checkpoints = tmp.resolve("checkpoints");
    Path round9 = null;
    try (Scripts.Running run =
        Scripts.start(
            Map.of(),
            "train.sh",
            trainArgs(
                "local[2]",
                train,
                model,
                checkpoints,
                "--epochs",
                "30",
                "--checkpoint-every-rounds",
                "1",
                "--checkpoints-kept",
                "1000"))) {
      run.awaitOutput("epoch 2/30", 600);
      // The file name carries the run's id after the round: checkpoint-round-0000000009-RUNID.svck.
      for (int i = 0; i < 600 && (round9 = checkpoint(checkpoints, 9)) == null; i++) {
        Thread.sleep(50);
      }
      // The script execs the driver JVM: killing it kills the driver.
      new ProcessBuilder("kill", "-9", String.valueOf(run.process.pid())).start().waitFor();
      Scripts.Result r = run.await(60);
      assertNotEquals(0, r.exit());
    }
    assertFalse(Files.exists(model.resolve("data/parameters.bin")), "no model from the killed run");
    assertTrue(
        round9 != null && Files.exists(round9), "the mid-epoch checkpoint of round 9 survived");
    try (var files = Files.list(checkpoints)) {
      for (Path p : files.toList()) {
        if (p.getFileName().toString().compareTo(round9.getFileName().toString()) > 0) {
          Files.delete(p);
        }
      }
    }
    Scripts.Result resumed =
        Scripts.ok(
            Scripts.run(
                Map.of(),
                600,
                "train.sh",
                trainArgs("local[2]", train, model, checkpoints, "--resume")));
    assertTrue(
        resumed.output().contains("2 epochs and 3 minibatches of epoch 3 done"), resumed.output());
    assertTrue(resumed.output().contains("epoch 3/3"), resumed.output());
    assertArrayEquals(
        params(clean), params(model), "parameters after a driver crash and a mid-epoch resume");
  }

  /** The checkpoint file of round {@code round} in {@code dir}, or null. */
  static Path checkpoint(Path dir, long round) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    String prefix = String.format("checkpoint-round-%010d", round);
    try (var files = Files.list(dir)) {
      return files
          .filter(
              p ->
                  p.getFileName().toString().startsWith(prefix)
                      && p.getFileName().toString().endsWith(".svck"))
          .findFirst()
          .orElse(null);
    }
  }
}
