package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone cluster of {@code local-cluster.sh} with a shared secret: authentication ({@code
 * spark.authenticate}) and AES-based RPC encryption ({@code spark.network.crypto.enabled}) on the
 * Master, the Workers, the executors and the driver, I/O encryption in the job. A job with the
 * secret trains; the secret shows in no log file, no job output and no process's command line; a
 * job without it is refused. Nothing here ever prints the secret: every output shown on failure has
 * it replaced by {@code <secret>}.
 */
class SecureClusterIT {
  @TempDir Path tmp;

  @Test
  void trainsWithTheSecretLeaksItNowhereAndRefusesAJobWithoutIt() throws Exception {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String secret = HexFormat.of().formatHex(random);
    Path secretFile = tmp.resolve("secret");
    Files.writeString(secretFile, secret + "\n");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    Path cluster = tmp.resolve("cluster");
    Path driverTmp = Files.createDirectories(tmp.resolve("driver-tmp"));
    int port = LocalClusterIT.freePort();
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "SPARKVAE_CLUSTER_DIR", cluster.toString(),
                "SPARKVAE_MASTER_PORT", String.valueOf(port),
                "SPARKVAE_WORKER_MEMORY", "1500m",
                "TMPDIR", driverTmp.toString()));
    Map<String, String> secured = new HashMap<>(env);
    secured.put("SPARKVAE_AUTH_SECRET_FILE", secretFile.toString());
    String master = "spark://127.0.0.1:" + port;
    try {
      Scripts.Result started = Scripts.run(secured, 180, "local-cluster.sh", "start", "2");
      assertEquals(0, started.exit(), redact(started.output(), secret));
      assertTrue(
          started.output().contains("authentication and RPC encryption on"),
          redact(started.output(), secret));
      Path train = Scripts.subset(tmp.resolve("data"), true, 2000);
      Path test = Scripts.subset(tmp.resolve("data"), false, 300);
      Path model = tmp.resolve("model");

      // The secured job; while it runs, every process's command line is read, again and again.
      Scripts.Running job =
          Scripts.start(
              secured,
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
              train.toString(),
              "--validation-input",
              test.toString(),
              "--epochs",
              "1",
              "--replicas",
              "2",
              "--model-out",
              model.toString());
      Set<String> seen = new LinkedHashSet<>();
      List<String> leaks = new ArrayList<>();
      boolean executorGotSecret = false;
      Scripts.Result r;
      try {
        long deadline = System.nanoTime() + 900_000_000_000L;
        while ((r = job.poll()) == null && System.nanoTime() < deadline) {
          Set<Long> pidFiles = clusterPids(cluster);
          for (Path proc : procs()) {
            long pid = Long.parseLong(proc.getFileName().toString());
            String cmdline = read(proc.resolve("cmdline")).replace('\0', ' ');
            if (cmdline.contains(secret)) {
              leaks.add("command line of pid " + pid);
            }
            if (cmdline.contains("CoarseGrainedExecutorBackend")
                && cmdline.contains(cluster.toString())) {
              seen.add("executor " + pid);
              // The worker hands the secret to its executors in their environment (Spark's
              // CommandUtils sets _SPARK_AUTH_SECRET when authentication is on).
              executorGotSecret |=
                  ("\0" + read(proc.resolve("environ")))
                      .contains("\0_SPARK_AUTH_SECRET=" + secret + "\0");
            } else if (pidFiles.contains(pid)) {
              seen.add(cmdline.contains(".master.Master") ? "master" : "worker " + pid);
            } else if (cmdline.contains("org.apache.spark.deploy.SparkSubmit")
                && job.process.descendants().anyMatch(h -> h.pid() == pid)) {
              seen.add("driver");
            }
          }
          Thread.sleep(250);
        }
        assertTrue(
            r != null,
            "the secured job did not finish within 900 s; output:\n"
                + redact(job.output(), secret));
      } finally {
        job.kill();
      }
      assertEquals(0, r.exit(), "exit status; output:\n" + redact(r.output(), secret));
      assertTrue(r.output().contains("epoch 1/1"), redact(r.output(), secret));
      assertTrue(Files.exists(model.resolve("data/model.json")), "model written");
      assertTrue(
          seen.contains("master")
              && seen.contains("driver")
              && seen.stream().filter(s -> s.startsWith("worker")).count() == 2
              && seen.stream().anyMatch(s -> s.startsWith("executor")),
          "the command lines of the master, both workers, an executor and the driver were read: "
              + seen);
      assertTrue(executorGotSecret, "an executor had the secret in its environment");
      assertEquals(List.of(), leaks, "the secret is on no command line");
      assertFalse(r.output().contains(secret), "the secret is not in the job's output");
      assertEquals(
          List.of(),
          filesContaining(cluster, secret),
          "cluster files (logs, executor stdout/stderr) with the secret");
      try (Stream<Path> left = Files.list(driverTmp)) {
        assertEquals(
            0, left.count(), "the driver's private properties file is removed when the job ends");
      }

      // The same job without the secret: its driver does not authenticate, and the master answers
      // each attempt to register with "Expected SaslMessage, received something else". Spark's
      // standalone client retries registration 3 times, 20 s apart (fixed in StandaloneAppClient,
      // not spark.network.timeout), then gives up ("All masters are unresponsive"), stops the
      // SparkContext and the job exits non-zero: about 70 s. The bound is generous for a busy
      // machine.
      Path refused = tmp.resolve("refused-model");
      Scripts.Running intruder =
          Scripts.start(
              env,
              "train.sh",
              "--master",
              master,
              "--conf",
              "spark.executor.memory=1g",
              "--conf",
              "spark.cores.max=2",
              "--",
              "--config",
              "conf/mnist.conf",
              "--input",
              train.toString(),
              "--validation-input",
              test.toString(),
              "--epochs",
              "1",
              "--replicas",
              "2",
              "--model-out",
              refused.toString());
      try {
        Scripts.Result denied = intruder.await(300);
        assertTrue(
            denied != null,
            "a job without the secret neither finished nor failed within 300 s; output:\n"
                + redact(intruder.output(), secret));
        String out = redact(denied.output(), secret);
        assertNotEquals(0, denied.exit(), "a job without the secret fails; output:\n" + out);
        assertTrue(
            out.contains("Expected SaslMessage") && out.contains("All masters are unresponsive"),
            "refused for want of authentication; output:\n" + out);
        assertFalse(Files.exists(refused), "no model from a job without the secret");
        assertFalse(
            denied.output().contains(secret), "the secret is not in the refused job's output");
      } finally {
        intruder.kill();
      }
      assertEquals(List.of(), filesContaining(cluster, secret), "cluster files with the secret");
    } finally {
      Scripts.run(env, 120, "local-cluster.sh", "stop");
    }
  }

  @Test
  void aSecretFileOthersCanReadOrAnEmptyOneIsRefused() throws Exception {
    Path readable = tmp.resolve("readable");
    Files.writeString(readable, "0123456789abcdef\n");
    Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r-----"));
    Map<String, String> env =
        Map.of(
            "SPARKVAE_CLUSTER_DIR",
            tmp.resolve("cluster").toString(),
            "SPARKVAE_AUTH_SECRET_FILE",
            readable.toString());
    for (String[] cmd :
        new String[][] {{"local-cluster.sh", "start", "1"}, {"train.sh", "--", "--help"}}) {
      Scripts.Result r = Scripts.run(env, 60, cmd[0], Arrays.copyOfRange(cmd, 1, cmd.length));
      assertEquals(2, r.exit(), r.output());
      assertTrue(
          r.output().contains("has mode 640; it must be readable by its owner only (chmod 600"),
          r.output());
    }
    assertFalse(Files.exists(tmp.resolve("cluster")), "nothing started");

    Path empty = tmp.resolve("empty");
    Files.createFile(
        empty, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Scripts.Result r =
        Scripts.run(
            Map.of("SPARKVAE_AUTH_SECRET_FILE", empty.toString()), 60, "train.sh", "--", "--help");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("is empty"), r.output());
  }

  /** The pids in the cluster's pid files (master and workers). */
  static Set<Long> clusterPids(Path cluster) throws IOException {
    Set<Long> pids = new LinkedHashSet<>();
    if (Files.isDirectory(cluster)) {
      try (Stream<Path> files = Files.list(cluster)) {
        for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
          String s = read(f).trim();
          if (!s.isEmpty()) {
            pids.add(Long.parseLong(s));
          }
        }
      }
    }
    return pids;
  }

  static List<Path> procs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .toList();
    }
  }

  /** The file's text, or "" when it is gone or unreadable (processes come and go). */
  static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The regular files under {@code dir} (links not followed, jars skipped) that contain {@code s}.
   */
  static List<String> filesContaining(Path dir, String s) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f :
          files
              .filter(
                  f ->
                      Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                          && !f.toString().endsWith(".jar"))
              .toList()) {
        if (read(f).contains(s)) {
          hits.add(dir.relativize(f).toString());
        }
      }
    }
    return hits;
  }

  static String redact(String output, String secret) {
    return output.replace(secret, "<secret>");
  }
}
