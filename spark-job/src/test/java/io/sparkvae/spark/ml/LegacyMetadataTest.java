package io.sparkvae.spark.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.SparkTestSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models saved before there was one training path: their metadata keys are read in today's words.
 */
class LegacyMetadataTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start("LegacyMetadataTest");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /**
   * The metadata the command line wrote before it went through VaeEstimator (ModelOutput.model).
   */
  static Map<String, String> oldCommandLine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("trainer", "DistributedTrainer");
    m.put("replicas", "2");
    m.put("epochs", "3");
    m.put("val_neg_elbo", "NaN");
    m.put("train_neg_elbo", "123.25");
    return m;
  }

  @Test
  void legacyKeysAreRenamedInOrderAndANonFiniteValidationLossIsDropped() {
    Map<String, String> up = TrainingHistory.upgrade(oldCommandLine());
    assertEquals(
        List.of("trainedBy", "replicas", "epochs", "trainNegElbo"), List.copyOf(up.keySet()));
    assertEquals("DistributedTrainer", up.get("trainedBy"));
    assertEquals("123.25", up.get("trainNegElbo"));

    Map<String, String> local = new LinkedHashMap<>(Map.of("trainer", "TrainLocal"));
    local.put("test_neg_elbo", "99.5");
    local.put("val_neg_elbo", "101.0");
    assertEquals(
        Map.of("trainedBy", "TrainLocal", "testNegElbo", "99.5", "valNegElbo", "101.0"),
        TrainingHistory.upgrade(local));

    // Today's name wins over a legacy one; metadata without legacy keys is returned as it is.
    Map<String, String> both = new LinkedHashMap<>(Map.of("trainNegElbo", "1.5"));
    both.put("train_neg_elbo", "2.5");
    assertEquals(Map.of("trainNegElbo", "1.5"), TrainingHistory.upgrade(both));
    Map<String, String> current = Map.of("trainedBy", VaeEstimator.class.getName(), "epochs", "1");
    assertSame(current, TrainingHistory.upgrade(current));
  }

  @Test
  void aModelTheOldCommandLineSavedLoadsWithTodaysKeys(@TempDir Path tmp) throws Exception {
    VaeConfig config =
        VaeConfig.builder().inputDim(6).encoderHidden(4).decoderHidden(4).latentDim(2).build();
    float[] params = ParamInit.initialize(ParamLayout.of(config), 1);
    String path = tmp.resolve("old").toString();
    new VaeModel(new TrainedVae(config, params, Map.of())).write().save(path);
    // Its data/ as the command line wrote it then: model-lib's files with the old keys.
    ModelFormat.save(
        new TrainedVae(config, params, oldCommandLine()), tmp.resolve("old").resolve("data"), true);
    assertEquals(
        oldCommandLine(),
        ModelFormat.load(tmp.resolve("old").resolve("data")).metadata(),
        "model-lib reads the files as they are");

    VaeModel loaded = VaeModel.load(path);
    assertEquals(TrainingHistory.upgrade(oldCommandLine()), loaded.trainedVae().metadata());
    assertTrue(loaded.trainingHistory().isEmpty(), "the old command line kept no history");
    assertEquals(
        Map.of("trainedBy", "TrainLocal", "epochs", "2"),
        new VaeModel(new TrainedVae(config, params, Map.of("trainer", "TrainLocal", "epochs", "2")))
            .trainedVae()
            .metadata());
  }
}
