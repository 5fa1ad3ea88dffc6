package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.GaussianVariance;
import io.sparkvae.model.vae.HiddenActivation;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, atomic saving, and one clear IOException for every kind of broken model. */
class ModelFormatTest {
  private static final VaeConfig SMALL_GAUSSIAN =
      VaeConfig.builder()
          .inputDim(6)
          .encoderHidden(5)
          .decoderHidden(4)
          .latentDim(3)
          .likelihood(LikelihoodKind.GAUSSIAN)
          .gaussianVariance(GaussianVariance.LEARNED)
          .seed(7)
          .build();

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------
  // Round trips

  @Test
  void roundTripOfTheDefaultConfigIsExact() throws IOException {
    assertRoundTrip(model(VaeConfig.defaults(), 1));
  }

  @Test
  void roundTripOfAGaussianModelWithLearnedVarianceIsExact() throws IOException {
    TrainedVae model = model(SMALL_GAUSSIAN, 2);
    assertTrue(model.layout().entries().stream().anyMatch(e -> e.name().equals("dec.logStd")));
    assertRoundTrip(model);
  }

  @Test
  void roundTripKeepsUnusualConfigValuesAndMetadataText() throws IOException {
    VaeConfig config =
        VaeConfig.builder()
            .inputDim(3)
            .encoderHidden()
            .decoderHidden(7, 2)
            .latentDim(2)
            .activation(HiddenActivation.TANH)
            .learningRate(0.1 + 0.2) // not the shortest decimal: must still come back bit for bit
            .adamEps(Double.MIN_VALUE)
            .seed(Long.MAX_VALUE)
            .klWarmupSteps(1L << 53 | 1)
            .build();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("testNegElbo", "97.25");
    metadata.put("", "empty key");
    metadata.put("note", "ünïcødé \"quoted\"\n\ttabbed </script> \u2028");
    float[] params = randomParams(ParamLayout.of(config).totalSize(), 3);
    assertRoundTrip(new TrainedVae(config, params, metadata));
  }

  @Test
  void writeAndReadGoThroughAnyStore() throws IOException {
    TrainedVae model = model(SMALL_GAUSSIAN, 4);
    MemoryStore store = new MemoryStore(false);
    ModelFormat.write(model, store);
    assertEquals(List.of("parameters.bin", "model.json"), store.createdInOrder);
    assertEqualsBitwise(model, ModelFormat.read(store, "mem://models/a"));
  }

  private void assertRoundTrip(TrainedVae model) throws IOException {
    Path dir = tmp.resolve("model");
    ModelFormat.save(model, dir, false);
    assertEqualsBitwise(model, ModelFormat.load(dir));
    assertEquals(List.of("model"), siblings());
  }

  private static void assertEqualsBitwise(TrainedVae expected, TrainedVae actual) {
    assertEquals(expected.config(), actual.config());
    assertArrayEquals(bits(expected.params()), bits(actual.params()));
    assertEquals(expected.metadata(), actual.metadata());
    assertEquals(
        List.copyOf(expected.metadata().keySet()), List.copyOf(actual.metadata().keySet()));
    assertEquals(expected, actual);
  }

  // ---------------------------------------------------------------------------------------------
  // Atomic save, overwrite

  @Test
  void secondSaveWithoutOverwriteThrowsAndKeepsTheFirst() throws IOException {
    Path dir = tmp.resolve("model");
    TrainedVae first = model(SMALL_GAUSSIAN, 5);
    ModelFormat.save(first, dir, false);
    FileAlreadyExistsException e =
        assertThrows(
            FileAlreadyExistsException.class,
            () -> ModelFormat.save(model(SMALL_GAUSSIAN, 6), dir, false));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
    assertEqualsBitwise(first, ModelFormat.load(dir));
    assertEquals(List.of("model"), siblings());
  }

  @Test
  void saveWithoutOverwriteRefusesAnyExistingFile() throws IOException {
    Path dir = tmp.resolve("model");
    Files.writeString(dir, "not a model");
    TrainedVae model = model(SMALL_GAUSSIAN, 1);
    assertThrows(FileAlreadyExistsException.class, () -> ModelFormat.save(model, dir, false));
    assertEquals("not a model", Files.readString(dir));
  }

  @Test
  void overwriteReplacesTheModelAndCleansUp() throws IOException {
    Path dir = tmp.resolve("model");
    ModelFormat.save(model(VaeConfig.defaults(), 7), dir, false);
    TrainedVae second = model(SMALL_GAUSSIAN, 8);
    ModelFormat.save(second, dir, true);
    assertEqualsBitwise(second, ModelFormat.load(dir));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("model.json", "parameters.bin"),
          files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
    assertEquals(List.of("model"), siblings());
  }

  @Test
  void overwriteOfAMissingModelJustSaves() throws IOException {
    Path dir = tmp.resolve("nested/parents/model");
    TrainedVae model = model(SMALL_GAUSSIAN, 9);
    ModelFormat.save(model, dir, true);
    assertEqualsBitwise(model, ModelFormat.load(dir));
  }

  @Test
  void nanParameterIsRefusedAtSaveAndNothingIsWritten() throws IOException {
    Path dir = tmp.resolve("model");
    TrainedVae good = model(SMALL_GAUSSIAN, 10);
    ModelFormat.save(good, dir, false);

    float[] p = good.params();
    ParamLayout.Entry bias = good.layout().entry("enc.h0.bias");
    p[bias.offset() + 2] = Float.NaN;
    p[p.length - 1] = Float.POSITIVE_INFINITY;
    TrainedVae bad = new TrainedVae(SMALL_GAUSSIAN, p, Map.of());

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelFormat.save(bad, dir, true));
    assertContains(e.getMessage(), "2 of 123", "not finite", "enc.h0.bias");
    assertEqualsBitwise(good, ModelFormat.load(dir)); // the existing model is untouched
    assertEquals(List.of("model"), siblings());

    Path fresh = tmp.resolve("fresh");
    assertThrows(IllegalArgumentException.class, () -> ModelFormat.save(bad, fresh, false));
    assertFalse(Files.exists(fresh));
    MemoryStore store = new MemoryStore(true);
    assertThrows(IllegalArgumentException.class, () -> ModelFormat.write(bad, store));
    assertTrue(store.files.isEmpty());
  }

  @Test
  void wrongParameterCountIsRejectedByTrainedVae() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TrainedVae(SMALL_GAUSSIAN, new float[122], Map.of()));
    assertContains(e.getMessage(), "123", "122");
  }

  @Test
  void trainedVaeIsImmutable() {
    float[] p = randomParams(123, 1);
    Map<String, String> meta = new LinkedHashMap<>(Map.of("a", "b"));
    TrainedVae m = new TrainedVae(SMALL_GAUSSIAN, p, meta);
    p[0] = 42f;
    meta.put("c", "d");
    m.params()[1] = 43f;
    assertFalse(m.params()[0] == 42f || m.params()[1] == 43f);
    assertEquals(Map.of("a", "b"), m.metadata());
    assertThrows(UnsupportedOperationException.class, () -> m.metadata().put("x", "y"));
  }

  // ---------------------------------------------------------------------------------------------
  // Broken models: each is an IOException naming the file and the problem

  @Test
  void truncatedParametersAreReportedWithByteCounts() throws IOException {
    Path dir = saved();
    Path bin = dir.resolve("parameters.bin");
    byte[] b = Files.readAllBytes(bin);
    assertEquals(12 + 4 * 123, b.length);
    Files.write(bin, Arrays.copyOf(b, b.length - 10));
    assertLoadFails(dir, "parameters.bin", "truncated", "expected 504 bytes", "found 494 bytes");
  }

  @Test
  void truncatedParametersAreReportedEvenWhenTheStoreCannotTellSizes() throws IOException {
    MemoryStore store = new MemoryStore(false);
    ModelFormat.write(model(SMALL_GAUSSIAN, 1), store);
    byte[] b = store.files.get("parameters.bin");
    store.files.put("parameters.bin", Arrays.copyOf(b, 100));
    IOException e = assertThrows(IOException.class, () -> ModelFormat.read(store, "mem:x"));
    assertContains(e.getMessage(), "mem:x/parameters.bin", "truncated", "504", "found 100");
  }

  @Test
  void paddedParametersAreReported() throws IOException {
    Path dir = saved();
    Files.write(dir.resolve("parameters.bin"), new byte[4], StandardOpenOption.APPEND);
    assertLoadFails(dir, "parameters.bin", "too long", "expected 504 bytes", "found 508 bytes");
  }

  @Test
  void flippedByteIsAChecksumMismatch() throws IOException {
    Path dir = saved();
    Path bin = dir.resolve("parameters.bin");
    byte[] b = Files.readAllBytes(bin);
    b[200] ^= 0x10;
    Files.write(bin, b);
    assertLoadFails(dir, "parameters.bin", "SHA-256", "mismatch");
  }

  @Test
  void wrongMagicIsReported() throws IOException {
    Path dir = saved();
    Path bin = dir.resolve("parameters.bin");
    byte[] b = Files.readAllBytes(bin);
    b[7] = '2';
    Files.write(bin, b);
    assertLoadFails(dir, "parameters.bin", "magic", "SVAEPRM1");
  }

  @Test
  void headerCountDisagreeingWithModelJsonIsReported() throws IOException {
    Path dir = saved();
    Path bin = dir.resolve("parameters.bin");
    byte[] b = Files.readAllBytes(bin);
    b[8] = 122;
    Files.write(bin, b);
    assertLoadFails(dir, "parameters.bin", "header says 122", "model.json says 123");
  }

  @Test
  void futureFormatVersionAsksForAnUpgrade() throws IOException {
    Path dir = saved();
    editJson(dir, j -> j.addProperty("formatVersion", 3));
    assertLoadFails(
        dir,
        "model.json",
        "model format version 3 is newer than this SparkVAE supports (2); upgrade SparkVAE");
  }

  @Test
  void nonsenseFormatVersionsAreReported() throws IOException {
    Path dir = saved();
    editJson(dir, j -> j.addProperty("formatVersion", 0));
    assertLoadFails(dir, "model.json", "invalid model format version 0");
    editJson(dir, j -> j.addProperty("formatVersion", 1.5));
    assertLoadFails(dir, "model.json", "formatVersion", "integer");
    editJson(dir, j -> j.addProperty("formatVersion", "1"));
    assertLoadFails(dir, "model.json", "formatVersion", "must be a number");
    editJson(dir, j -> j.remove("formatVersion"));
    assertLoadFails(dir, "model.json", "formatVersion", "missing");
  }

  @Test
  void unknownFormatNameIsReported() throws IOException {
    Path dir = saved();
    editJson(dir, j -> j.addProperty("format", "tensorflow-savedmodel"));
    assertLoadFails(
        dir, "model.json", "unknown model format", "tensorflow-savedmodel", "sparkvae-vae");
    editJson(dir, j -> j.remove("format"));
    assertLoadFails(dir, "model.json", "not a SparkVAE model", "format");
  }

  @Test
  void missingModelJsonIsReported() throws IOException {
    Path dir = saved();
    Files.delete(dir.resolve("model.json"));
    IOException e = assertLoadFails(dir, "model.json", "no SparkVAE model", "does not exist");
    assertInstanceOf(FileNotFoundException.class, e);
  }

  @Test
  void missingDirectoryIsReported() {
    Path dir = tmp.resolve("nothing-here");
    IOException e = assertThrows(IOException.class, () -> ModelFormat.load(dir));
    assertContains(e.getMessage(), dir.toString(), "does not exist");
  }

  @Test
  void missingParametersAreReported() throws IOException {
    Path dir = saved();
    Files.delete(dir.resolve("parameters.bin"));
    IOException e = assertLoadFails(dir, "parameters.bin", "does not exist");
    assertInstanceOf(FileNotFoundException.class, e);
  }

  @Test
  void invalidJsonIsReported() throws IOException {
    Path dir = saved();
    Path json = dir.resolve("model.json");
    String text = Files.readString(json);
    Files.writeString(json, text.substring(0, text.length() / 2));
    assertLoadFails(dir, "model.json", "not a valid JSON document");
    Files.writeString(json, text.replace("\"format\":", "\"format\" "));
    assertLoadFails(dir, "model.json", "not a valid JSON document");
    Files.writeString(json, text + "{}");
    assertLoadFails(dir, "model.json", "not a valid JSON document");
    Files.writeString(json, "[1, 2]");
    assertLoadFails(dir, "model.json", "not a JSON object");
    Files.writeString(
        json, text.replace("\"formatVersion\": 2,", "\"formatVersion\": 2, \"format\": \"x\","));
    assertLoadFails(dir, "model.json", "Duplicate field 'format' at line 3");
    Files.write(json, new byte[] {'{', (byte) 0xC3, '}'});
    assertLoadFails(dir, "model.json", "UTF-8");
    Files.writeString(json, "[".repeat(10_000) + "]".repeat(10_000));
    assertLoadFails(dir, "model.json", "nesting depth (33) exceeds the maximum allowed (32");
  }

  @Test
  void invalidConfigValueNamesTheField() throws IOException {
    Path dir = saved();
    editJson(dir, j -> j.getAsJsonObject("architecture").addProperty("latentDim", 0));
    assertLoadFails(dir, "model.json", "invalid config", "latentDim");
    editJson(dir, j -> j.getAsJsonObject("architecture").addProperty("latentDim", 3.5));
    assertLoadFails(dir, "model.json", "architecture.latentDim");
    editJson(dir, j -> j.getAsJsonObject("architecture").addProperty("inputDim", 1e10));
    assertLoadFails(dir, "model.json", "architecture.inputDim", "32-bit integer");
    editJson(dir, j -> j.getAsJsonObject("architecture").addProperty("likelihood", "poisson"));
    assertLoadFails(dir, "model.json", "likelihood", "poisson");
    editJson(dir, j -> j.getAsJsonObject("architecture").addProperty("dropout", 0.5));
    assertLoadFails(dir, "model.json", "unknown VAE parameter", "dropout");
  }

  /** Version 2 keeps the optimizer's settings out of the architecture, and each in its section. */
  @Test
  void architectureIsApartFromTrainingSettings() throws IOException {
    Path dir = saved();
    JsonObject j =
        JsonParser.parseString(Files.readString(dir.resolve("model.json"))).getAsJsonObject();
    assertEquals(
        List.of(
            "inputDim",
            "encoderHidden",
            "decoderHidden",
            "latentDim",
            "activation",
            "likelihood",
            "gaussianVariance",
            "gaussianFixedStd",
            "klEstimator"),
        List.copyOf(j.getAsJsonObject("architecture").keySet()));
    assertEquals(
        List.of(
            "elboSamples",
            "beta",
            "klWarmupSteps",
            "learningRate",
            "adamBeta1",
            "adamBeta2",
            "adamEps",
            "batchSize",
            "seed"),
        List.copyOf(j.getAsJsonObject("training").keySet()));
    assertFalse(j.has("config"));
    editJson(dir, k -> k.getAsJsonObject("architecture").addProperty("learningRate", 0.01));
    assertLoadFails(dir, "model.json", "unknown VAE parameter in architecture: learningRate");
    editJson(dir, k -> k.getAsJsonObject("training").addProperty("learningRate", "fast"));
    assertLoadFails(dir, "model.json", "training.learningRate must be a number");
    editJson(dir, k -> k.remove("training"));
    assertLoadFails(dir, "model.json", "training must be a JSON object");
  }

  /** A version 1 model.json, written by hand: one config object, read as before. */
  @Test
  void aHandWrittenVersion1ConfigIsRead() throws IOException {
    Path dir = saved();
    editJson(
        dir,
        j -> {
          JsonObject config = new JsonObject();
          config.addProperty("inputDim", 6);
          config.addProperty("latentDim", 3);
          JsonArray encoder = new JsonArray();
          encoder.add(5);
          config.add("encoderHidden", encoder);
          JsonArray decoder = new JsonArray();
          decoder.add(4);
          config.add("decoderHidden", decoder);
          config.addProperty("likelihood", "gaussian");
          config.addProperty("learningRate", 0.0025);
          config.addProperty("seed", 9007199254740993L); // 2^53 + 1: not a double
          j.remove("architecture");
          j.remove("training");
          j.add("config", config);
          j.addProperty("formatVersion", 1);
        });
    TrainedVae loaded = ModelFormat.load(dir);
    assertEquals(
        SMALL_GAUSSIAN.toBuilder().learningRate(0.0025).seed(9007199254740993L).build(),
        loaded.config());
  }

  @Test
  void tensorShapeMismatchNamesTheTensor() throws IOException {
    Path dir = saved();
    editJson(
        dir,
        j -> {
          JsonObject t = tensors(j).get(1).getAsJsonObject();
          JsonArray shape = new JsonArray();
          shape.add(6);
          t.add("shape", shape);
        });
    assertLoadFails(dir, "model.json", "enc.h0.bias", "[6]", "[5]");
  }

  @Test
  void tensorListMustMatchTheLayoutExactly() throws IOException {
    Path dir = saved();
    editJson(dir, j -> tensors(j).get(4).getAsJsonObject().addProperty("name", "enc.scale.w"));
    assertLoadFails(dir, "model.json", "enc.scale.w", "enc.scale.weight");
    editJson(dir, j -> tensors(j).get(4).getAsJsonObject().addProperty("offset", 54));
    assertLoadFails(dir, "model.json", "offset 54", "offset 53");
    editJson(dir, j -> tensors(j).remove(10));
    assertLoadFails(dir, "model.json", "dec.logStd", "missing");
    editJson(
        dir,
        j -> {
          JsonObject extra = tensors(j).get(9).getAsJsonObject().deepCopy();
          extra.addProperty("name", "dec.extra");
          tensors(j).add(extra);
        });
    assertLoadFails(dir, "model.json", "dec.extra", "extra");
  }

  @Test
  void parameterDescriptionMustBeTheSupportedOne() throws IOException {
    Path dir = saved();
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("count", 124));
    assertLoadFails(dir, "model.json", "parameters.count is 124", "123");
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("dtype", "float64"));
    assertLoadFails(dir, "model.json", "dtype", "float64");
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("byteOrder", "big-endian"));
    assertLoadFails(dir, "model.json", "byteOrder", "big-endian");
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("file", "../../etc/passwd"));
    assertLoadFails(dir, "model.json", "parameters.file", "../../etc/passwd");
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("sha256", "abc"));
    assertLoadFails(dir, "model.json", "sha256", "64 hexadecimal");
    editJson(dir, j -> j.getAsJsonObject("metadata").addProperty("epochs", 3));
    assertLoadFails(dir, "model.json", "metadata.epochs", "string");
  }

  @Test
  void nonFiniteValuesInAFileWithAValidChecksumAreRefused() throws IOException {
    Path dir = saved();
    Path bin = dir.resolve("parameters.bin");
    byte[] b = Files.readAllBytes(bin);
    int dec = ParamLayout.of(SMALL_GAUSSIAN).entry("dec.out.weight").offset();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(12 + 4 * dec, -1f / 0f);
    Files.write(bin, b);
    String sha = sha256(b);
    editJson(dir, j -> j.getAsJsonObject("parameters").addProperty("sha256", sha));
    assertLoadFails(dir, "parameters.bin", "1 of 123", "not finite", "dec.out.weight");
  }

  /**
   * A model.json that claims a huge model over a tiny parameters.bin must fail fast, without
   * allocating for the claimed count, even from a store that cannot tell file sizes.
   */
  @Test
  void aHugeClaimedCountDoesNotAllocate() throws IOException {
    VaeConfig huge = VaeConfig.builder().inputDim(40_000).encoderHidden(40_000).build();
    ParamLayout layout = ParamLayout.of(huge);
    assertTrue(layout.totalSize() > 1_500_000_000);
    for (boolean knowsSize : new boolean[] {true, false}) {
      MemoryStore store = new MemoryStore(knowsSize);
      ModelFormat.write(model(SMALL_GAUSSIAN, 1), store);
      JsonObject j = JsonParser.parseString(store.text("model.json")).getAsJsonObject();
      JsonObject config = new JsonObject();
      config.addProperty("inputDim", 40_000);
      JsonArray enc = new JsonArray();
      enc.add(40_000);
      config.add("encoderHidden", enc);
      j.add("architecture", config);
      JsonArray tensors = new JsonArray();
      for (ParamLayout.Entry e : layout.entries()) {
        JsonObject t = new JsonObject();
        t.addProperty("name", e.name());
        JsonArray shape = new JsonArray();
        for (long d : e.shape()) {
          shape.add(d);
        }
        t.add("shape", shape);
        t.addProperty("offset", e.offset());
        tensors.add(t);
      }
      j.getAsJsonObject("parameters").add("tensors", tensors);
      j.getAsJsonObject("parameters").addProperty("count", layout.totalSize());
      store.files.put("model.json", j.toString().getBytes(StandardCharsets.UTF_8));
      ByteBuffer bin = ByteBuffer.allocate(12 + 4000).order(ByteOrder.LITTLE_ENDIAN);
      bin.put("SVAEPRM1".getBytes(StandardCharsets.US_ASCII)).putInt(layout.totalSize());
      store.files.put("parameters.bin", bin.array());
      IOException e = assertThrows(IOException.class, () -> ModelFormat.read(store, "mem:huge"));
      assertContains(e.getMessage(), "mem:huge/parameters.bin", "truncated", "found 4012 bytes");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzzing

  /**
   * Random byte flips, truncations and insertions in either file. Every load must fail with an
   * IOException naming the file, or succeed; success is impossible after a change to parameters.bin
   * (size and checksum), and after a change to model.json it must still give the original
   * parameters bit for bit (the hand-editable metadata and config text may differ).
   */
  @Test
  void randomCorruptionsGiveIOExceptionsOnly() throws IOException {
    TrainedVae model = model(SMALL_GAUSSIAN, 11);
    MemoryStore pristine = new MemoryStore(true);
    ModelFormat.write(model, pristine);
    int[] originalBits = bits(model.params());
    SplittableRandom rng = new SplittableRandom(20240611);
    int[] outcomes = new int[3]; // failed, loaded after a model.json change, never else

    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int i = 0; i < 3000; i++) {
            String file = rng.nextBoolean() ? "model.json" : "parameters.bin";
            byte[] original = pristine.files.get(file);
            StringBuilder what = new StringBuilder("#" + i + " " + file + ":");
            byte[] mutated = original;
            int mutations = 1 + (rng.nextInt(4) == 0 ? rng.nextInt(3) : 0);
            for (int m = 0; m < mutations; m++) {
              mutated = mutate(mutated, rng, what);
            }
            MemoryStore store = new MemoryStore(i % 2 == 0);
            store.files.putAll(pristine.files);
            store.files.put(file, mutated);
            TrainedVae loaded;
            try {
              loaded = ModelFormat.read(store, "mem:fuzz");
            } catch (IOException e) {
              assertTrue(
                  e.getMessage() != null && e.getMessage().contains("mem:fuzz/"),
                  what + " message names no file: " + e);
              outcomes[0]++;
              continue;
            } catch (Throwable t) {
              throw new AssertionError(what + " threw " + t, t);
            }
            if (file.equals("parameters.bin")) {
              fail(what + " loaded a model from a changed parameters.bin");
            }
            assertArrayEquals(originalBits, bits(loaded.params()), what.toString());
            outcomes[1]++;
          }
        });
    assertEquals(3000, outcomes[0] + outcomes[1]);
    assertTrue(outcomes[0] > 2000, "most corruptions must be detected: " + outcomes[0]);
  }

  private static byte[] mutate(byte[] b, SplittableRandom rng, StringBuilder what) {
    switch (rng.nextInt(3)) {
      case 0:
        {
          if (b.length == 0) {
            return b;
          }
          byte[] out = b.clone();
          int at = rng.nextInt(b.length);
          int mask = 1 + rng.nextInt(255);
          out[at] ^= (byte) mask;
          what.append(" flip ").append(at).append(" ^").append(mask);
          return out;
        }
      case 1:
        {
          int len = b.length == 0 ? 0 : rng.nextInt(b.length);
          what.append(" truncate to ").append(len);
          return Arrays.copyOf(b, len);
        }
      default:
        {
          int at = rng.nextInt(b.length + 1);
          byte value = (byte) rng.nextInt(256);
          byte[] out = new byte[b.length + 1];
          System.arraycopy(b, 0, out, 0, at);
          out[at] = value;
          System.arraycopy(b, at, out, at + 1, b.length - at);
          what.append(" insert ").append(value).append(" at ").append(at);
          return out;
        }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private Path saved() throws IOException {
    Path dir = tmp.resolve("model");
    ModelFormat.save(model(SMALL_GAUSSIAN, 12), dir, false);
    return dir;
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static TrainedVae model(VaeConfig config, long seed) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("epochs", String.valueOf(seed));
    metadata.put("testNegElbo", "123.5");
    return new TrainedVae(config, randomParams(ParamLayout.of(config).totalSize(), seed), metadata);
  }

  /** Arbitrary finite bit patterns, including negative zero, subnormals and the extremes. */
  private static float[] randomParams(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      float v = Float.intBitsToFloat(rng.nextInt());
      p[i] = Float.isFinite(v) ? v : (float) rng.nextGaussian();
    }
    float[] special = {-0.0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, 1e-40f};
    System.arraycopy(special, 0, p, 0, Math.min(n, special.length));
    return p;
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  private static JsonArray tensors(JsonObject modelJson) {
    return modelJson.getAsJsonObject("parameters").getAsJsonArray("tensors");
  }

  /** Edits a pristine copy of the saved model.json, so each edit in a test stands alone. */
  private void editJson(Path dir, Consumer<JsonObject> edit) throws IOException {
    Path json = dir.resolve("model.json");
    Path pristine = tmp.resolve("pristine-model.json");
    if (!Files.exists(pristine)) {
      Files.copy(json, pristine);
    }
    JsonObject o = JsonParser.parseString(Files.readString(pristine)).getAsJsonObject();
    edit.accept(o);
    JsonElement e = o;
    Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(e));
  }

  private static IOException assertLoadFails(Path dir, String file, String... words) {
    IOException e = assertThrows(IOException.class, () -> ModelFormat.load(dir));
    assertContains(e.getMessage(), dir.resolve(file).toString());
    assertContains(e.getMessage(), words);
    return e;
  }

  private static void assertContains(String message, String... words) {
    for (String w : words) {
      assertTrue(message != null && message.contains(w), () -> "'" + w + "' not in: " + message);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** An in-memory store; {@code knowsSize} false models a store that cannot tell file sizes. */
  private static final class MemoryStore implements ModelStore {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> createdInOrder = new ArrayList<>();
    private final boolean knowsSize;

    MemoryStore(boolean knowsSize) {
      this.knowsSize = knowsSize;
    }

    String text(String name) {
      return new String(files.get(name), StandardCharsets.UTF_8);
    }

    @Override
    public OutputStream create(String name) {
      createdInOrder.add(name);
      return new ByteArrayOutputStream() {
        @Override
        public void close() {
          files.put(name, toByteArray());
        }
      };
    }

    @Override
    public InputStream open(String name) throws IOException {
      byte[] b = files.get(name);
      if (b == null) {
        throw new FileNotFoundException(name);
      }
      return new ByteArrayInputStream(b);
    }

    @Override
    public boolean exists(String name) {
      return files.containsKey(name);
    }

    @Override
    public long size(String name) {
      return knowsSize && files.containsKey(name) ? files.get(name).length : -1;
    }
  }
}
