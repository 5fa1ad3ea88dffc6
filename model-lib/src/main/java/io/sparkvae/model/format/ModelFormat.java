package io.sparkvae.model.format;

import static io.sparkvae.model.config.ExactJson.array;
import static io.sparkvae.model.config.ExactJson.int32;
import static io.sparkvae.model.config.ExactJson.isString;
import static io.sparkvae.model.config.ExactJson.object;
import static io.sparkvae.model.config.ExactJson.string;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonWriter;
import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.config.VaeConfigParams;
import io.sparkvae.model.publish.LocalStorage;
import io.sparkvae.model.publish.Publisher;
import io.sparkvae.model.vae.ParamLayout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The versioned on-disk format of a {@link TrainedVae} (format {@value #FORMAT_NAME}, version
 * {@value #FORMAT_VERSION}). A model is a directory, or any {@link ModelStore}, holding two files:
 *
 * <h2>{@code model.json}</h2>
 *
 * UTF-8 JSON, pretty-printed, readable and diffable by people:
 *
 * <pre>{@code
 * {
 *   "format": "sparkvae-vae",
 *   "formatVersion": 2,
 *   "architecture": { "inputDim": 784, "encoderHidden": [400], ..., "klEstimator": "mc" },
 *   "training": { "elboSamples": 1, "beta": 1.0, ..., "learningRate": 0.001, "adamBeta1": 0.9, ... },
 *   "parameters": {
 *     "file": "parameters.bin",
 *     "dtype": "float32",
 *     "byteOrder": "little-endian",
 *     "count": 688884,
 *     "sha256": "<lower-case hex SHA-256 of the whole parameters.bin>",
 *     "tensors": [ {"name": "enc.h0.weight", "shape": [400, 784], "offset": 0}, ... ]
 *   },
 *   "metadata": { "epochs": "10", ... free-form string pairs ... }
 * }
 * }</pre>
 *
 * A tabular model (likelihood {@code tabular}) also holds {@code "tabular"}, its fitted columns,
 * kinds, statistics and vocabularies ({@link io.sparkvae.model.tabular.TabularSchema#toJson}, with
 * its own {@code schemaVersion}); readers of earlier SparkVAE versions refuse such a model on its
 * likelihood name rather than misread it.
 *
 * <p>{@code architecture} holds what rebuilds and runs the network ({@link
 * io.sparkvae.model.config.VaeConfigParams#ARCHITECTURE}), {@code training} how it was trained
 * ({@link io.sparkvae.model.config.VaeConfigParams#TRAINING}: objective, Adam, schedule, seed),
 * kept for provenance; version 1 held both in one {@code config} object and is still read. Each
 * value is in the JSON form its {@link io.sparkvae.model.config.ParamType} owns (numbers, strings,
 * arrays of ints); a name missing on reading takes its default, so a later SparkVAE may add
 * hyperparameters whose default keeps the old behaviour without a new format version. The tensor
 * list is redundant with {@link ParamLayout#of(VaeConfig)} and must equal it: it lets tools outside
 * SparkVAE slice the parameters, and it makes a layout change that forgot to bump the format
 * version fail loudly.
 *
 * <h2>{@code parameters.bin}</h2>
 *
 * A 12-byte header (magic {@code SVAEPRM1}, count) and the parameters as float32 little-endian in
 * {@link ParamLayout} order; see {@code ParametersFile} for the byte layout.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Reading goes through a switch on {@code formatVersion}: a version this code does not know
 *       (a newer SparkVAE's) is refused with a message saying so, never misread.
 *   <li>Every problem met while reading is an {@link IOException} whose message names the offending
 *       file: bad JSON, invalid config (the field is named), tensor list, count, size, magic,
 *       checksum, non-finite values. Nothing is deserialized with Java serialization, and nothing
 *       is allocated from a size the file claims before the bytes are there.
 *   <li>{@code parameters.bin} is written before {@code model.json}, so a reader of a store without
 *       atomic rename (object stores) never finds a {@code model.json} whose data is missing;
 *       {@link #save} additionally publishes the whole directory atomically ({@link Publisher}).
 *   <li>A model with NaN or infinite parameters is never written.
 * </ul>
 *
 * The sha256 covers {@code parameters.bin} only: {@code model.json} stays hand-editable (its
 * metadata in particular), and every field in it that concerns the parameters is cross-checked.
 *
 * <p>Over 400 lines because about 100 of them are this specification of the format and its
 * versions; the code is the version switch and the two sections' readers, with parameters.bin in
 * {@link ParametersFile}, the tensor list in {@link TensorList} and publication in {@link
 * Publisher}.
 */
public final class ModelFormat {
  /** The value of the {@code format} field. */
  public static final String FORMAT_NAME = "sparkvae-vae";

  /** The format version this code writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 2;

  /** The name of the JSON description inside a model. */
  public static final String MODEL_JSON = "model.json";

  /** The name of the binary parameter file inside a model. */
  public static final String PARAMETERS_BIN = "parameters.bin";

  private static final String DTYPE = "float32";
  private static final String BYTE_ORDER = "little-endian";

  private ModelFormat() {}

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes a model into a store: {@code parameters.bin} first, then {@code model.json}. The store
   * is not made atomic by this method; {@link #save} is, for local directories.
   *
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   * @throws IOException when the store fails
   */
  public static void write(TrainedVae model, ModelStore store) throws IOException {
    model.requireFinite();
    ParamLayout layout = model.layout();
    float[] params = model.paramsNoCopy();
    MessageDigest sha = Float32Codec.sha256();

    ParametersFile.write(store, params, sha);

    byte[] json = modelJson(model, layout, HexFormat.of().formatHex(sha.digest()));
    try (OutputStream out = store.create(MODEL_JSON)) {
      out.write(json);
    }
  }

  private static byte[] modelJson(TrainedVae model, ParamLayout layout, String shaHex)
      throws IOException {
    StringWriter text = new StringWriter();
    try (JsonWriter w = new JsonWriter(text)) {
      w.setIndent("  ");
      w.beginObject();
      w.name("format").value(FORMAT_NAME);
      w.name("formatVersion").value(FORMAT_VERSION);

      // Version 2: the architecture apart from how it was trained (Adam's settings are no part of
      // it).
      w.name("architecture");
      VaeConfig.SCHEMA.writeJson(w, model.config(), VaeConfigParams.ARCHITECTURE);
      w.name("training");
      VaeConfig.SCHEMA.writeJson(w, model.config(), VaeConfigParams.TRAINING);

      if (model.config().tabular() != null) {
        // The fitted columns, vocabularies and statistics of a tabular model, with their own
        // version.
        w.name("tabular");
        new com.google.gson.Gson().toJson(model.config().tabular().toJson(), w);
      }

      w.name("parameters").beginObject();
      w.name("file").value(PARAMETERS_BIN);
      w.name("dtype").value(DTYPE);
      w.name("byteOrder").value(BYTE_ORDER);
      w.name("count").value(layout.totalSize());
      w.name("sha256").value(shaHex);
      w.name("tensors");
      TensorList.write(w, layout);
      w.endObject();

      w.name("metadata").beginObject();
      for (Map.Entry<String, String> e : model.metadata().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject();
      w.endObject();
    }
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** What a model.json of any supported version says, once validated. */
  private record Description(
      VaeConfig config,
      ParamLayout layout,
      int count,
      String sha256,
      Map<String, String> metadata) {}

  /**
   * Reads and fully validates a model from a store.
   *
   * @param description where the store is (a directory path, a URI), used to name the offending
   *     file in messages as {@code description + "/" + fileName}
   * @throws IOException for a missing file, a format or version this code cannot read, or any
   *     inconsistency or corruption; the message names the file
   */
  public static TrainedVae read(ModelStore store, String description) throws IOException {
    String jsonPath = describe(description, MODEL_JSON);
    String binPath = describe(description, PARAMETERS_BIN);
    if (!store.exists(MODEL_JSON)) {
      throw new FileNotFoundException(
          "no SparkVAE model at " + description + ": " + jsonPath + " does not exist");
    }
    String text = StrictJson.readDocument(store, MODEL_JSON, jsonPath);
    Description d;
    try {
      d = describeModel(parseJson(text));
    } catch (IOException e) {
      // Jackson reports syntax errors and exceeded limits as StreamReadExceptions (IOExceptions).
      throw new InvalidModel(jsonPath + ": not a valid JSON document: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Gson, VaeConfig and ParamLayout report problems as unchecked exceptions; callers of a
      // loader expect one checked type, and a message that says which file is at fault.
      throw new InvalidModel(jsonPath + ": " + messageOf(e), e);
    }
    float[] params = ParametersFile.read(store, binPath, d.count(), d.sha256());
    String nonFinite = TrainedVae.nonFiniteReport(params, d.layout());
    if (nonFinite != null) {
      throw new InvalidModel(binPath + ": " + nonFinite);
    }
    return new TrainedVae(d.config(), params, d.metadata());
  }

  private static String messageOf(RuntimeException e) {
    return e instanceof IllegalArgumentException && e.getMessage() != null
        ? e.getMessage()
        : e.toString();
  }

  private static String describe(String description, String name) {
    return description.endsWith("/") ? description + name : description + "/" + name;
  }

  /** The version switch: every supported version is decoded into the same {@link Description}. */
  private static Description describeModel(JsonObject root) {
    JsonElement format = root.get("format");
    if (format == null) {
      throw new IllegalArgumentException(
          "not a SparkVAE model: no \"format\" field (expected \"" + FORMAT_NAME + "\")");
    }
    if (!isString(format) || !FORMAT_NAME.equals(format.getAsString())) {
      throw new IllegalArgumentException(
          "unknown model format " + format + " (expected \"" + FORMAT_NAME + "\")");
    }
    int version = int32(root.get("formatVersion"), "formatVersion");
    switch (version) {
      case 1:
        return describe(root, readConfig(root, CONFIG_V1));
      case 2:
        return describe(root, readConfig(root, CONFIG_V2));
      default:
        if (version > FORMAT_VERSION) {
          throw new IllegalArgumentException(
              "model format version "
                  + version
                  + " is newer than this SparkVAE supports ("
                  + FORMAT_VERSION
                  + "); upgrade SparkVAE");
        }
        throw new IllegalArgumentException(
            "invalid model format version " + version + " (this SparkVAE reads versions 1 and 2)");
    }
  }

  /** Everything but the config, which versions 1 and 2 hold differently. */
  private static Description describe(JsonObject root, VaeConfig config) {
    if (root.has("tabular")) {
      config =
          config.toBuilder()
              .tabular(
                  io.sparkvae.model.tabular.TabularSchema.fromJson(
                      object(root, "tabular", "tabular")))
              .build();
    }
    ParamLayout layout = ParamLayout.of(config);

    JsonObject p = object(root, "parameters", "parameters");
    requireEquals(p, "file", PARAMETERS_BIN);
    requireEquals(p, "dtype", DTYPE);
    requireEquals(p, "byteOrder", BYTE_ORDER);
    int count = int32(p.get("count"), "parameters.count");
    if (count != layout.totalSize()) {
      throw new IllegalArgumentException(
          "parameters.count is "
              + count
              + " but the config has "
              + layout.totalSize()
              + " parameters");
    }
    String sha = string(p.get("sha256"), "parameters.sha256").toLowerCase(Locale.ROOT);
    if (!sha.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "parameters.sha256 must be 64 hexadecimal digits, found \"" + sha + "\"");
    }
    TensorList.check(array(p.get("tensors"), "parameters.tensors"), layout);

    Map<String, String> metadata = new LinkedHashMap<>();
    JsonElement m = root.get("metadata");
    if (m != null) {
      for (Map.Entry<String, JsonElement> e : object(root, "metadata", "metadata").entrySet()) {
        metadata.put(e.getKey(), string(e.getValue(), "metadata." + e.getKey()));
      }
    }
    return new Description(config, layout, count, sha, metadata);
  }

  /** A JSON object of model.json that holds some of the config's parameters. */
  private record ConfigSection(
      String name, List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> specs) {}

  private static final List<ConfigSection> CONFIG_V1 =
      List.of(new ConfigSection("config", VaeConfig.PARAMS));
  private static final List<ConfigSection> CONFIG_V2 =
      List.of(
          new ConfigSection("architecture", VaeConfigParams.ARCHITECTURE),
          new ConfigSection("training", VaeConfigParams.TRAINING));

  /**
   * The config from one or more sections of model.json: version 1's {@code config} (every
   * parameter), version 2's {@code architecture} and {@code training} (each its own parameters). A
   * parameter missing from its section takes its default.
   */
  private static VaeConfig readConfig(JsonObject root, List<ConfigSection> sections) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigSection section : sections) {
      readSection(
          object(root, section.name(), section.name()), section.name(), section.specs(), values);
    }
    try {
      return VaeConfig.fromMap(values);
    } catch (IllegalArgumentException invalid) {
      throw new IllegalArgumentException("invalid config: " + invalid.getMessage(), invalid);
    }
  }

  private static void readSection(
      JsonObject json,
      String section,
      List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> specs,
      Map<String, Object> values) {
    for (Map.Entry<String, JsonElement> e : json.entrySet()) {
      ParamSpec<VaeConfig, VaeConfig.Builder, ?> spec =
          specs.stream().filter(p -> p.name().equals(e.getKey())).findFirst().orElse(null);
      if (spec == null) {
        throw new IllegalArgumentException(
            "invalid config: unknown VAE parameter"
                + (section.equals("config") ? "" : " in " + section)
                + ": "
                + e.getKey());
      }
      // Exact: an int never wraps, a seed keeps every digit (ParamType owns each JSON form).
      values.put(e.getKey(), spec.fromJson(e.getValue(), section + "." + e.getKey()));
    }
  }

  private static JsonObject parseJson(String text) throws IOException {
    JsonElement root = StrictJson.parse(text);
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException(
          "not a SparkVAE model: the top level is not a JSON object");
    }
    return root.getAsJsonObject();
  }

  private static void requireEquals(JsonObject o, String field, String expected) {
    String actual = string(o.get(field), "parameters." + field);
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          "parameters."
              + field
              + " is \""
              + actual
              + "\"; format version 1 supports only \""
              + expected
              + "\"");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Local directories

  /**
   * Saves a model as the directory {@code dir}, atomically ({@link Publisher}): readers see no
   * model or a whole model, never half of one, and a crash leaves at worst a hidden staging
   * sibling. The parent directory is created if needed.
   *
   * @param overwrite replace an existing {@code dir}: the old one is renamed aside, the new one
   *     renamed in, then the old one deleted; if the swap fails the old one is put back
   * @throws FileAlreadyExistsException when {@code dir} exists and {@code overwrite} is false
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   * @throws IOException when writing fails; the staging directory is removed and an existing {@code
   *     dir} is left as it was
   */
  public static void save(TrainedVae model, Path dir, boolean overwrite) throws IOException {
    // Checked before anything touches the disk, so a diverged model leaves no trace.
    model.requireFinite();
    Path target = dir.toAbsolutePath().normalize();
    if (target.getParent() == null || target.getFileName() == null) {
      throw new IllegalArgumentException("cannot save a model as the root directory " + dir);
    }
    Publisher.Existing<Path> existing =
        overwrite
            ? Publisher.Existing.replace()
            : t -> {
              throw new FileAlreadyExistsException(
                  t.toString(),
                  null,
                  "a model (or other file) already exists there; save with overwrite to replace it");
            };
    LocalStorage.publisher()
        .publish(
            target,
            existing,
            staging -> {
              Files.createDirectory(staging);
              write(model, ModelStore.directory(staging));
            });
  }

  /**
   * Loads the model saved as the directory {@code dir} (or, while it is missing after a save killed
   * between its two renames, the previous model that save had renamed aside).
   *
   * @throws IOException when it is missing, of an unsupported format version, inconsistent or
   *     corrupted; the message names the offending file
   */
  public static TrainedVae load(Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    Path found = LocalStorage.publisher().readable(target);
    if (!Files.exists(found)) {
      throw new FileNotFoundException("no SparkVAE model at " + dir + ": it does not exist");
    }
    if (!Files.isDirectory(found)) {
      throw new IOException("no SparkVAE model at " + dir + ": it is not a directory");
    }
    return read(
        ModelStore.directory(found), found.equals(target) ? dir.toString() : found.toString());
  }
}
