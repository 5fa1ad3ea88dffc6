package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's real scripts as a user would, under a timeout, killing them on the way out.
 */
final class Scripts {
  record Result(int exit, String output) {}

  private Scripts() {}

  static Path projectDir() {
    return Path.of(System.getProperty("sparkvae.project.dir", "..")).toAbsolutePath().normalize();
  }

  static Path mnistDir() {
    return Path.of(
        System.getProperty("sparkvae.data.dir", projectDir().resolve("data").toString()), "mnist");
  }

  /**
   * Runs {@code submit-scripts/<script> args...}; the process tree is destroyed if it outlives the
   * timeout.
   */
  static Result run(Map<String, String> env, long timeoutSeconds, String script, String... args)
      throws IOException, InterruptedException {
    try (Running r = start(env, script, args)) {
      return r.await(timeoutSeconds);
    }
  }

  /** A script started in the background, its output collected as it comes. */
  static final class Running implements AutoCloseable {
    final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Thread pump;

    Running(Process p) {
      this.process = p;
      this.pump =
          new Thread(
              () -> {
                try (InputStream in = p.getInputStream()) {
                  byte[] buf = new byte[8192];
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    synchronized (out) {
                      out.write(buf, 0, n);
                    }
                  }
                } catch (IOException ignored) {
                  // the process was destroyed
                }
              });
      pump.start();
    }

    String output() {
      synchronized (out) {
        return out.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits until the output contains {@code text}; fails after {@code seconds}. */
    void awaitOutput(String text, long seconds) throws InterruptedException {
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (!output().contains(text)) {
        if (System.nanoTime() > end || !process.isAlive() && !output().contains(text)) {
          if (!process.isAlive() || System.nanoTime() > end) {
            throw new AssertionError(
                "no '" + text + "' within " + seconds + " s; output:\n" + output());
          }
        }
        Thread.sleep(100);
      }
    }

    Result await(long seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("did not finish within " + seconds + " s; output:\n" + output());
      }
      pump.join(10_000);
      return new Result(process.exitValue(), output());
    }

    /** The result if the process has ended, else null. */
    Result poll() throws InterruptedException {
      if (process.isAlive()) {
        return null;
      }
      return await(10);
    }

    /** Destroys the process tree. */
    void kill() {
      close();
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Starts {@code submit-scripts/<script> args...} in the background. */
  static Running start(Map<String, String> env, String script, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(projectDir().resolve("submit-scripts").resolve(script).toString());
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).directory(projectDir().toFile()).redirectErrorStream(true);
    pb.environment().remove("SPARK_HOME");
    pb.environment().put("SPARKVAE_DRIVER_MEMORY", "2g");
    pb.environment().putAll(env);
    return new Running(pb.start());
  }

  /** Asserts a zero exit, showing the output otherwise. */
  static Result ok(Result r) {
    assertEquals(0, r.exit(), "exit status; output:\n" + r.output());
    return r;
  }

  /** Writes the first {@code n} images and labels of an MNIST split as IDX files in {@code dir}. */
  static Path subset(Path dir, boolean train, int n) throws IOException {
    String prefix = train ? "train" : "t10k";
    byte[] images = Files.readAllBytes(mnistDir().resolve(prefix + "-images-idx3-ubyte"));
    byte[] labels = Files.readAllBytes(mnistDir().resolve(prefix + "-labels-idx1-ubyte"));
    Files.createDirectories(dir);
    Path img = dir.resolve(prefix + "-images-idx3-ubyte");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(img))) {
      out.writeInt(0x00000803);
      out.writeInt(n);
      out.writeInt(28);
      out.writeInt(28);
      out.write(images, 16, n * 784);
    }
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      out.writeInt(0x00000801);
      out.writeInt(n);
      out.write(labels, 8, n);
    }
    return img;
  }
}
