package io.sparkvae.model.format;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the golden model of the current format version, which {@link GoldenModelTest} loads
 * forever after. Run it once when a format version is introduced, from the repository root:
 *
 * <pre>
 * mvn -q -pl model-lib test-compile
 * java -cp model-lib/target/classes:model-lib/target/test-classes:$GSON_JAR \
 *     io.sparkvae.model.format.GoldenModelWriter model-lib/src/test/resources/golden/format-v1
 * </pre>
 *
 * It refuses to replace an existing golden model: regenerating one with today's writer would hide
 * exactly the incompatibility the golden test exists to catch.
 */
public final class GoldenModelWriter {
  private GoldenModelWriter() {}

  /** The golden model of format version 1: tiny, Gaussian with learned variance, seed 7. */
  public static TrainedVae formatV1Model() {
    VaeConfig config = formatV1Config();
    return new TrainedVae(
        config, ParamInit.initialize(ParamLayout.of(config), 7), formatV1Metadata());
  }

  /**
   * The golden model's configuration: 6-5-3 encoder, 3-4-6 decoder, Gaussian likelihood with a
   * learned log-std (so {@code dec.logStd} is in the layout), seed 7, every other field default.
   */
  public static VaeConfig formatV1Config() {
    return VaeConfig.builder()
        .inputDim(6)
        .encoderHidden(5)
        .decoderHidden(4)
        .latentDim(3)
        .likelihood(LikelihoodKind.GAUSSIAN)
        .gaussianVariance(GaussianVariance.LEARNED)
        .seed(7)
        .build();
  }

  /** The golden model's metadata. */
  public static Map<String, String> formatV1Metadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("purpose", "golden model of format version 1; never regenerate");
    metadata.put("epochs", "0");
    return metadata;
  }

  /**
   * Writes the golden model.
   *
   * @param args the target directory (default {@code
   *     model-lib/src/test/resources/golden/format-v1}, relative to the working directory)
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "model-lib/src/test/resources/golden/format-v1");
    ModelFormat.save(formatV1Model(), dir, false);
    System.out.println("wrote " + dir.toAbsolutePath());
  }
}
