package io.sparkvae.model.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * DJL's engine start makes an HTTP call to a cloud metadata address and may try to download natives
 * unless told it is offline. Every JVM the project starts must carry the flags.
 */
class OfflineEnvironmentTest {
  @Test
  void thisTestJvmIsOffline() {
    assertEquals("true", System.getProperty("ai.djl.offline"), "-Dai.djl.offline=true missing");
    assertEquals("true", System.getenv("OPT_OUT_TRACKING"), "OPT_OUT_TRACKING=true missing");
  }

  @Test
  void sparkDefaultsAndScriptsCarryTheSameFlags() throws IOException {
    Path root = Path.of(System.getProperty("sparkvae.project.dir", ".."));
    String conf = Files.readString(root.resolve("conf/spark-defaults.conf"));
    for (String key :
        new String[] {"spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"}) {
      String line = conf.lines().filter(l -> l.startsWith(key)).findFirst().orElse("");
      assertTrue(
          line.contains("-Dai.djl.offline=true"), key + " lacks -Dai.djl.offline=true: " + line);
    }
    assertTrue(
        conf.lines().anyMatch(l -> l.matches("spark\\.executorEnv\\.OPT_OUT_TRACKING\\s+true")),
        "spark-defaults.conf does not set OPT_OUT_TRACKING on executors");
    String env = Files.readString(root.resolve("submit-scripts/env.sh"));
    assertTrue(
        env.contains("export OPT_OUT_TRACKING=true"), "env.sh does not export OPT_OUT_TRACKING");
    assertTrue(env.contains("-Dai.djl.offline=true"), "env.sh does not pass -Dai.djl.offline=true");
  }
}
