package io.sparkvae.model.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code TrainLocal} run as a user runs it: a JVM of its own whose class path has no SLF4J provider
 * (as {@code java -cp spark-job-*-app.jar}, which leaves logging to Spark), on images without label
 * files.
 */
class TrainLocalRunTest {
  @TempDir Path dir;

  @Test
  void trainsOnImagesWithoutLabelFilesAndPrintsNoSlf4jWarnings() throws Exception {
    writeImages(dir.resolve("train-images-idx3-ubyte"), 64, 1);
    writeImages(dir.resolve("t10k-images-idx3-ubyte"), 16, 2);
    Path model = dir.resolve("model");
    // model-lib's test class path has log4j's SLF4J provider; the app jar has none.
    String classPath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("log4j"))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classPath,
            "-Dai.djl.offline=true",
            TrainLocal.class.getName(),
            "--input",
            dir.resolve("train-images-idx3-ubyte").toString(),
            "--validation-input",
            dir.resolve("t10k-images-idx3-ubyte").toString(),
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--encoder-hidden",
            "8",
            "--decoder-hidden",
            "8",
            "--latent-dim",
            "2",
            "--threads",
            "1",
            "--model-out",
            model.toString());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
      assertEquals(0, p.exitValue(), out);
      assertFalse(
          out.contains("SLF4J"), "SLF4J's notices on a class path without a provider:\n" + out);
      assertTrue(Files.isDirectory(model), out);
    } finally {
      p.destroyForcibly();
    }
  }

  /** An IDX file of {@code n} random 28 x 28 images. */
  private static void writeImages(Path file, int n, long seed) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
    SplittableRandom r = new SplittableRandom(seed);
    while (b.hasRemaining()) {
      b.put((byte) r.nextInt(256));
    }
    Files.write(file, b.array());
  }
}
