package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import io.sparkvae.spark.ml.VaeModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under {@code --model-out}: a real one, a 2 MiB tmpfs filled to the last byte (this
 * needs the right to mount, which the project's machines and CI have; elsewhere the test is
 * reported as skipped, never as passed). Hadoop's local file system reports ENOSPC as an {@code
 * FSError}, which named no option and escaped as an uncaught Error.
 */
class ModelOutputFullDiskTest {
  @TempDir Path tmp;

  @Test
  void aFullDiskNamesModelOutAndLeavesThePreviousModelIntact() throws Exception {
    Path disk = tmp.resolve("disk");
    Files.createDirectories(disk);
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk.toString()),
        "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)");
    SparkSession spark = SparkTestSession.start("ModelOutputFullDiskTest");
    try {
      VaeConfig config =
          VaeConfig.builder()
              .inputDim(12)
              .encoderHidden(10)
              .decoderHidden(10)
              .latentDim(3)
              .batchSize(8)
              .seed(3)
              .build();
      TrainedVae first =
          new TrainedVae(config, ParamInit.initialize(ParamLayout.of(config), 1), Map.of());
      TrainedVae second =
          new TrainedVae(config, ParamInit.initialize(ParamLayout.of(config), 2), Map.of());
      String out = disk.resolve("model").toString();
      ModelOutput.write(spark, new VaeModel(first), out, false);
      fill(disk.resolve("ballast"));

      IOException e =
          assertThrows(
              IOException.class, () -> ModelOutput.write(spark, new VaeModel(second), out, true));
      assertTrue(
          e.getMessage().startsWith("cannot write the model to --model-out " + out),
          e.getMessage());
      assertTrue(e.getMessage().contains("the previous model, if any, is intact"), e.getMessage());
      Files.delete(disk.resolve("ballast"));
      assertArrayEquals(
          first.params(), VaeModel.load(out).trainedVae().params(), "the previous model is intact");
    } finally {
      spark.stop();
      run("umount", disk.toString());
    }
  }

  /** Writes until the file system is full. */
  private static void fill(Path file) {
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream o = Files.newOutputStream(file)) {
      while (true) {
        o.write(chunk);
      }
    } catch (IOException expected) {
      // No space left on device: the disk is full.
    }
  }

  private static boolean run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
