package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.HiddenActivation;
import io.sparkvae.model.vae.KlEstimator;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the golden models: version 1's, written once by {@link GoldenModelWriter} when format
 * version 1 was introduced, and version 2's, that model saved by the first writer of version 2. If
 * this test fails, today's code can no longer read models saved by earlier releases: fix the reader
 * (or add a version to the switch), never regenerate the golden files.
 */
class GoldenModelTest {
  /** Written out by hand rather than taken from the writer, so neither can drift with the other. */
  private static final VaeConfig EXPECTED_CONFIG =
      VaeConfig.builder()
          .inputDim(6)
          .encoderHidden(5)
          .decoderHidden(4)
          .latentDim(3)
          .activation(HiddenActivation.SOFTPLUS)
          .likelihood(LikelihoodKind.GAUSSIAN)
          .gaussianVariance(GaussianVariance.LEARNED)
          .gaussianFixedStd(1.0)
          .klEstimator(KlEstimator.MC)
          .elboSamples(1)
          .beta(1.0)
          .klWarmupSteps(0)
          .learningRate(1e-3)
          .adamBeta1(0.9)
          .adamBeta2(0.999)
          .adamEps(1e-8)
          .batchSize(256)
          .seed(7)
          .build();

  private static final String EXPECTED_SHA256 =
      "84a14b36c55fb4b4fe9c28dd1e430ad28e72dcef84717554555d1806129a0307";

  private static Path goldenDir() throws URISyntaxException {
    return goldenDir(1);
  }

  private static Path goldenDir(int version) throws URISyntaxException {
    URL json = GoldenModelTest.class.getResource("/golden/format-v" + version + "/model.json");
    assertNotNull(json, "golden model missing from the test resources");
    return Path.of(json.toURI()).getParent();
  }

  @Test
  void configIsTheExpectedOne() throws Exception {
    TrainedVae model = ModelFormat.load(goldenDir());
    assertEquals(EXPECTED_CONFIG, model.config());
    assertEquals(
        Map.of("purpose", "golden model of format version 1; never regenerate", "epochs", "0"),
        model.metadata());
  }

  @Test
  void parametersAreParamInitWithSeed7BitForBit() throws Exception {
    TrainedVae model = ModelFormat.load(goldenDir());
    ParamLayout layout = ParamLayout.of(EXPECTED_CONFIG);
    assertEquals(123, layout.totalSize());
    assertEquals("dec.logStd", layout.entries().get(layout.tensorCount() - 1).name());
    assertArrayEquals(bits(ParamInit.initialize(layout, 7)), bits(model.params()));
  }

  @Test
  void checksumMatchesTheFileAndThePinnedValue() throws Exception {
    Path dir = goldenDir();
    String recorded =
        JsonParser.parseString(Files.readString(dir.resolve("model.json")))
            .getAsJsonObject()
            .getAsJsonObject("parameters")
            .get("sha256")
            .getAsString();
    String actual = sha256(Files.readAllBytes(dir.resolve("parameters.bin")));
    assertEquals(recorded, actual);
    assertEquals(EXPECTED_SHA256, actual);
  }

  /**
   * The version 2 golden model (the version 1 one saved by the first writer of version 2) reads the
   * same.
   */
  @Test
  void formatV2GoldenHasTheSameConfigMetadataAndParameters() throws Exception {
    TrainedVae v2 = ModelFormat.load(goldenDir(2));
    assertEquals(EXPECTED_CONFIG, v2.config());
    assertEquals(ModelFormat.load(goldenDir(1)).metadata(), v2.metadata());
    assertArrayEquals(bits(ModelFormat.load(goldenDir(1)).params()), bits(v2.params()));
  }

  /**
   * Today's writer must still produce format 2 exactly, or it needs a new version number; a version
   * 1 model, loaded and saved again, becomes exactly the version 2 golden model.
   */
  @Test
  void todaysWriterReproducesTheGoldenFiles(@TempDir Path tmp) throws Exception {
    Path golden = goldenDir(2);
    Path again = tmp.resolve("again");
    ModelFormat.save(ModelFormat.load(goldenDir(1)), again, false);
    assertArrayEquals(
        Files.readAllBytes(golden.resolve("parameters.bin")),
        Files.readAllBytes(again.resolve("parameters.bin")));
    // Compared as JSON trees: whitespace in model.json is free to change, its content is not.
    assertEquals(json(golden.resolve("model.json")), json(again.resolve("model.json")));
  }

  private static JsonElement json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
