package io.sparkvae.model.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonWriter;
import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.config.VaeConfigParams;
import io.sparkvae.model.vae.ParamLayout;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
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
 * ({@link io.sparkvae.model.config.VaeConfigParams#TRAINING}: objective, Adam, schedule, seed), kept
 * for provenance; version 1 held both in one {@code config} object and is still read. Each value is
 * in the JSON form its {@link io.sparkvae.model.config.ParamType} owns (numbers, strings, arrays of
 * ints); a name missing on reading takes its default, so a later SparkVAE may add hyperparameters
 * whose default keeps the old behaviour without a new format version. The tensor list is redundant
 * with {@link ParamLayout#of(VaeConfig)} and must equal it: it lets tools outside SparkVAE slice
 * the parameters, and it makes a layout change that forgot to bump the format version fail loudly.
 *
 * <h2>{@code parameters.bin}</h2>
 *
 * <pre>
 * offset  size     content
 * 0       8        magic, the ASCII bytes "SVAEPRM1"
 * 8       4        count N, int32 little-endian (equals parameters.count in model.json)
 * 12      4 * N    the parameters, IEEE-754 float32 little-endian, in ParamLayout order
 * </pre>
 *
 * Weights are row-major {@code [out, in]} as in PyTorch's {@code nn.Linear}, so the file can be
 * read with {@code numpy.fromfile(f, '<f4', offset=12)} and reshaped from the tensor list.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Reading goes through a switch on {@code formatVersion}: a version this code does not know
 *       (a newer SparkVAE's) is refused with a message saying so, never misread.
 *   <li>Every problem met while reading is an {@link IOException} whose message names the
 *       offending file: bad JSON, invalid config (the field is named), tensor list, count, size,
 *       magic, checksum, non-finite values. Nothing is deserialized with Java serialization, and
 *       nothing is allocated from a size the file claims before the bytes are there.
 *   <li>{@code parameters.bin} is written before {@code model.json}, so a reader of a store
 *       without atomic rename (object stores) never finds a {@code model.json} whose data is
 *       missing; {@link #save} additionally publishes the whole directory with one atomic rename.
 *   <li>A model with NaN or infinite parameters is never written.
 * </ul>
 *
 * The sha256 covers {@code parameters.bin} only: {@code model.json} stays hand-editable (its
 * metadata in particular), and every field in it that concerns the parameters is cross-checked.
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

  private static final byte[] MAGIC = "SVAEPRM1".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = MAGIC.length + Integer.BYTES;
  private static final String DTYPE = "float32";
  private static final String BYTE_ORDER = "little-endian";

  // Limits that keep a corrupted or hostile model.json from exhausting memory or the stack. A real
  // model.json is a few kilobytes; its numbers are short.
  private static final int MAX_JSON_BYTES = 16 << 20;

  private static final int IO_CHUNK = 1 << 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ModelFormat() {}

  /** A problem in a model's content (not a failing store); its message already names the file. */
  private static final class Invalid extends IOException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }

    Invalid(String message, Throwable cause) {
      super(message, cause);
    }
  }

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

    try (OutputStream out = new BufferedOutputStream(store.create(PARAMETERS_BIN), IO_CHUNK)) {
      byte[] header =
          ByteBuffer.allocate(HEADER_BYTES).order(Float32Codec.ORDER).put(MAGIC).putInt(params.length).array();
      Float32Codec.write(out, sha, header, params);
    }

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

      // Version 2: the architecture apart from how it was trained (Adam's settings are no part of it).
      w.name("architecture");
      VaeConfig.SCHEMA.writeJson(w, model.config(), VaeConfigParams.ARCHITECTURE);
      w.name("training");
      VaeConfig.SCHEMA.writeJson(w, model.config(), VaeConfigParams.TRAINING);

      if (model.config().tabular() != null) {
        // The fitted columns, vocabularies and statistics of a tabular model, with their own version.
        w.name("tabular");
        new com.google.gson.Gson().toJson(model.config().tabular().toJson(), w);
      }

      w.name("parameters").beginObject();
      w.name("file").value(PARAMETERS_BIN);
      w.name("dtype").value(DTYPE);
      w.name("byteOrder").value(BYTE_ORDER);
      w.name("count").value(layout.totalSize());
      w.name("sha256").value(shaHex);
      w.name("tensors").beginArray();
      for (ParamLayout.Entry e : layout.entries()) {
        w.beginObject();
        w.name("name").value(e.name());
        w.name("shape").beginArray();
        for (long d : e.shape()) {
          w.value(d);
        }
        w.endArray();
        w.name("offset").value(e.offset());
        w.endObject();
      }
      w.endArray();
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
    String text = readSmallFile(store, MODEL_JSON, jsonPath);
    Description d;
    try {
      d = describeModel(parseJson(text));
    } catch (IOException e) {
      // Jackson reports syntax errors and exceeded limits as StreamReadExceptions (IOExceptions).
      throw new Invalid(jsonPath + ": not a valid JSON document: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Gson, VaeConfig and ParamLayout report problems as unchecked exceptions; callers of a
      // loader expect one checked type, and a message that says which file is at fault.
      throw new Invalid(jsonPath + ": " + messageOf(e), e);
    }
    float[] params = readParameters(store, binPath, d);
    String nonFinite = TrainedVae.nonFiniteReport(params, d.layout());
    if (nonFinite != null) {
      throw new Invalid(binPath + ": " + nonFinite);
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
    int version = intValue(root.get("formatVersion"), "formatVersion");
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
      config = config.toBuilder()
          .tabular(io.sparkvae.model.tabular.TabularSchema.fromJson(object(root, "tabular", "tabular"))).build();
    }
    ParamLayout layout = ParamLayout.of(config);

    JsonObject p = object(root, "parameters", "parameters");
    requireEquals(p, "file", PARAMETERS_BIN);
    requireEquals(p, "dtype", DTYPE);
    requireEquals(p, "byteOrder", BYTE_ORDER);
    int count = intValue(p.get("count"), "parameters.count");
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
    checkTensors(array(p.get("tensors"), "parameters.tensors"), layout);

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
  private record ConfigSection(String name, List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> specs) {}

  private static final List<ConfigSection> CONFIG_V1 = List.of(new ConfigSection("config", VaeConfig.PARAMS));
  private static final List<ConfigSection> CONFIG_V2 = List.of(
      new ConfigSection("architecture", VaeConfigParams.ARCHITECTURE),
      new ConfigSection("training", VaeConfigParams.TRAINING));

  /**
   * The config from one or more sections of model.json: version 1's {@code config} (every
   * parameter), version 2's {@code architecture} and {@code training} (each its own parameters).
   * A parameter missing from its section takes its default.
   *
   */
  private static VaeConfig readConfig(JsonObject root, List<ConfigSection> sections) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ConfigSection section : sections) {
      readSection(object(root, section.name(), section.name()), section.name(), section.specs(), values);
    }
    try {
      return VaeConfig.fromMap(values);
    } catch (IllegalArgumentException invalid) {
      throw new IllegalArgumentException("invalid config: " + invalid.getMessage(), invalid);
    }
  }

  private static void readSection(JsonObject json, String section,
      List<ParamSpec<VaeConfig, VaeConfig.Builder, ?>> specs, Map<String, Object> values) {
    for (Map.Entry<String, JsonElement> e : json.entrySet()) {
      ParamSpec<VaeConfig, VaeConfig.Builder, ?> spec =
          specs.stream().filter(p -> p.name().equals(e.getKey())).findFirst().orElse(null);
      if (spec == null) {
        throw new IllegalArgumentException("invalid config: unknown VAE parameter"
            + (section.equals("config") ? "" : " in " + section) + ": " + e.getKey());
      }
      // Exact: an int never wraps, a seed keeps every digit (ParamType owns each JSON form).
      values.put(e.getKey(), spec.fromJson(e.getValue(), section + "." + e.getKey()));
    }
  }

  private static void checkTensors(JsonArray tensors, ParamLayout layout) {
    List<ParamLayout.Entry> expected = layout.entries();
    for (int i = 0; i < Math.max(tensors.size(), expected.size()); i++) {
      if (i >= tensors.size()) {
        throw new IllegalArgumentException(
            "parameters.tensors lists "
                + tensors.size()
                + " tensors but the config has "
                + expected.size()
                + "; tensor "
                + expected.get(i).name()
                + " is missing");
      }
      String what = "parameters.tensors[" + i + "]";
      JsonObject t = object(tensors.get(i), what);
      String name = string(t.get("name"), what + ".name");
      if (i >= expected.size()) {
        throw new IllegalArgumentException(
            "parameters.tensors lists "
                + tensors.size()
                + " tensors but the config has "
                + expected.size()
                + "; tensor "
                + name
                + " is extra");
      }
      JsonArray shapeJson = array(t.get("shape"), what + ".shape");
      long[] shape = new long[shapeJson.size()];
      for (int k = 0; k < shape.length; k++) {
        shape[k] = intValue(shapeJson.get(k), what + ".shape[" + k + "]");
      }
      int offset = intValue(t.get("offset"), what + ".offset");
      ParamLayout.Entry e = expected.get(i);
      if (!name.equals(e.name()) || !Arrays.equals(shape, e.shape()) || offset != e.offset()) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + " ("
                + what
                + ") has shape "
                + Arrays.toString(shape)
                + " at offset "
                + offset
                + " but the config's layout has "
                + e.name()
                + " with shape "
                + Arrays.toString(e.shape())
                + " at offset "
                + e.offset());
      }
    }
  }

  private static float[] readParameters(ModelStore store, String binPath, Description d)
      throws IOException {
    if (!store.exists(PARAMETERS_BIN)) {
      throw new FileNotFoundException(binPath + " does not exist (model.json refers to it)");
    }
    int count = d.count();
    long expectedBytes = HEADER_BYTES + (long) Float.BYTES * count;
    long size = store.size(PARAMETERS_BIN);
    if (size >= 0 && size != expectedBytes) {
      throw sizeMismatch(binPath, expectedBytes, size);
    }
    MessageDigest sha = Float32Codec.sha256();
    float[] out;
    try (InputStream in = store.open(PARAMETERS_BIN)) {
      out = readFloats(in, binPath, count, size >= 0, expectedBytes, sha);
    } catch (Invalid e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("cannot read " + binPath + ": " + e.getMessage(), e);
    }
    String actualSha = HexFormat.of().formatHex(sha.digest());
    if (!actualSha.equals(d.sha256())) {
      throw new Invalid(
          binPath
              + ": SHA-256 checksum mismatch: model.json records "
              + d.sha256()
              + " but the file's is "
              + actualSha
              + "; the file is corrupted or belongs to another model");
    }
    return out;
  }

  private static float[] readFloats(
      InputStream in,
      String binPath,
      int count,
      boolean sizeChecked,
      long expectedBytes,
      MessageDigest sha)
      throws IOException {
    byte[] header = in.readNBytes(HEADER_BYTES);
    sha.update(header);
    if (header.length >= MAGIC.length
        && !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new Invalid(
          binPath
              + ": wrong magic number "
              + HexFormat.of().formatHex(header, 0, MAGIC.length)
              + ", expected \"SVAEPRM1\"; not a SparkVAE parameter file");
    }
    if (header.length < HEADER_BYTES) {
      throw sizeMismatch(binPath, expectedBytes, header.length);
    }
    ByteBuffer countBytes = ByteBuffer.wrap(header, MAGIC.length, Integer.BYTES);
    int headerCount = countBytes.order(Float32Codec.ORDER).getInt();
    if (headerCount != count) {
      throw new Invalid(
          binPath
              + ": header says "
              + headerCount
              + " parameters but model.json says "
              + count);
    }

    float[] out;
    try {
      out = Float32Codec.read(in, count, sizeChecked, sha);
    } catch (Float32Codec.ShortRead e) {
      throw sizeMismatch(binPath, expectedBytes, HEADER_BYTES + e.bytesRead());
    }
    byte[] chunk = new byte[IO_CHUNK];
    long trailing = 0;
    for (int got; (got = in.read(chunk)) > 0; ) {
      trailing += got;
    }
    if (trailing > 0) {
      throw sizeMismatch(binPath, expectedBytes, expectedBytes + trailing);
    }
    return out;
  }

  private static IOException sizeMismatch(String binPath, long expected, long actual) {
    return new Invalid(
        binPath
            + (actual < expected ? " is truncated" : " is too long")
            + ": expected "
            + expected
            + " bytes ("
            + HEADER_BYTES
            + "-byte header and "
            + (expected - HEADER_BYTES) / Float.BYTES
            + " float32 values), found "
            + actual
            + " bytes");
  }

  /** Reads a file that must be small, never holding more than the cap in memory. */
  private static String readSmallFile(ModelStore store, String name, String path)
      throws IOException {
    byte[] bytes = null;
    try {
      if (store.size(name) <= MAX_JSON_BYTES) {
        try (InputStream in = store.open(name)) {
          bytes = in.readNBytes(MAX_JSON_BYTES + 1);
        }
      }
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    if (bytes == null || bytes.length > MAX_JSON_BYTES) {
      throw new Invalid(
          path + " is larger than " + (MAX_JSON_BYTES >> 20) + " MiB; not a SparkVAE model.json");
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new Invalid(path + ": not valid UTF-8 text", e);
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

  private static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  private static String string(JsonElement e, String what) {
    if (!isString(e)) {
      throw new IllegalArgumentException(what + " must be a string, found " + shown(e));
    }
    return e.getAsString();
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

  private static BigDecimal number(JsonElement e, String what) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(what + " must be a number, found " + shown(e));
    }
    return e.getAsBigDecimal();
  }

  private static int intValue(JsonElement e, String what) {
    BigDecimal n = number(e, what);
    try {
      return n.intValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(what + " must be a 32-bit integer, found " + n, x);
    }
  }

  private static JsonObject object(JsonObject parent, String field, String what) {
    return object(parent.get(field), what);
  }

  private static JsonObject object(JsonElement e, String what) {
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, found " + shown(e));
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonElement e, String what) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + " must be a JSON array, found " + shown(e));
    }
    return e.getAsJsonArray();
  }

  private static String shown(JsonElement e) {
    if (e == null) {
      return "nothing (the field is missing)";
    }
    String s = e.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  // ---------------------------------------------------------------------------------------------
  // Local directories

  /**
   * Saves a model as the directory {@code dir}, atomically: the files are written and fsynced in a
   * temporary sibling {@code .<name>.tmp-<random>}, which is then renamed to {@code dir}. Readers
   * therefore see no model or a whole model, never half of one, and a crash leaves at worst a
   * hidden temporary directory. The parent directory is created if needed.
   *
   * @param overwrite replace an existing {@code dir}: the old one is renamed aside, the new one
   *     renamed in, then the old one deleted; if the swap fails the old one is put back
   * @throws FileAlreadyExistsException when {@code dir} exists and {@code overwrite} is false
   * @throws IllegalArgumentException when a parameter is NaN or infinite (nothing is written)
   * @throws IOException when writing fails; the temporary is removed and an existing {@code dir} is
   *     left as it was
   */
  public static void save(TrainedVae model, Path dir, boolean overwrite) throws IOException {
    // Checked before anything touches the disk, so a diverged model leaves no trace.
    model.requireFinite();
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null || target.getFileName() == null) {
      throw new IllegalArgumentException("cannot save a model as the root directory " + dir);
    }
    String name = target.getFileName().toString();
    restoreAside(target);
    if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw alreadyExists(target);
    }
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + name + ".tmp-" + randomSuffix());
    Files.createDirectory(tmp);
    try {
      write(model, ModelStore.directory(tmp));
      syncDirectory(tmp);
      if (overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        replace(tmp, target, parent.resolve("." + name + ".old-" + randomSuffix()));
      } else {
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          // Another writer got there between our check and the rename.
          throw alreadyExists(target);
        }
      }
      syncDirectory(parent);
    } catch (IOException | RuntimeException | Error e) {
      deleteQuietly(tmp, e);
      throw e;
    }
  }

  private static void replace(Path tmp, Path target, Path aside) throws IOException {
    Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException restore) {
        e.addSuppressed(
            new IOException("could not restore the previous model from " + aside, restore));
      }
      throw e;
    }
    try {
      deleteRecursively(aside);
    } catch (IOException e) {
      throw new IOException(
          "the model was saved at "
              + target
              + " but the previous one could not be deleted from "
              + aside
              + "; delete it by hand",
          e);
    }
  }

  private static FileAlreadyExistsException alreadyExists(Path target) {
    return new FileAlreadyExistsException(
        target.toString(),
        null,
        "a model (or other file) already exists there; save with overwrite to replace it");
  }

  /**
   * Loads the model saved as the directory {@code dir}.
   *
   * @throws IOException when it is missing, of an unsupported format version, inconsistent or
   *     corrupted; the message names the offending file
   */
  public static TrainedVae load(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      // A kill between the two renames of an overwriting save left the previous model aside.
      Path aside = newestAside(dir.toAbsolutePath().normalize());
      if (aside != null) {
        return read(ModelStore.directory(aside), aside.toString());
      }
      throw new FileNotFoundException("no SparkVAE model at " + dir + ": it does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("no SparkVAE model at " + dir + ": it is not a directory");
    }
    return read(ModelStore.directory(dir), dir.toString());
  }

  /**
   * Puts back a previous model that an overwriting save renamed aside ({@code .NAME.old-X}) and was
   * killed before it renamed the new one in; nothing else is touched.
   */
  private static void restoreAside(Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path aside = newestAside(target);
    if (aside != null) {
      Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** The newest {@code .NAME.old-X} directory beside {@code target}, or null. */
  private static Path newestAside(Path target) throws IOException {
    Path parent = target.getParent();
    if (parent == null || target.getFileName() == null || !Files.isDirectory(parent)) {
      return null;
    }
    String prefix = "." + target.getFileName() + ".old-";
    Path newest = null;
    try (java.util.stream.Stream<Path> s = Files.list(parent)) {
      for (Path p : s.toList()) {
        if (p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
            && (newest == null
                || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(newest)) > 0)) {
          newest = p;
        }
      }
    }
    return newest;
  }

  private static String randomSuffix() {
    return Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
  }

  private static void syncDirectory(Path dir) {
    // fsync of the directory makes the new entries (and a rename) survive a power cut. Some
    // platforms (Windows) cannot open a directory for this; there the rename is still atomic,
    // only less durable, which is no reason to fail a save.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException notSupported) {
      return;
    }
  }

  private static void deleteQuietly(Path dir, Throwable primary) {
    try {
      deleteRecursively(dir);
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // walkFileTree does not follow links, so a link inside a model is removed, not its target.
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
