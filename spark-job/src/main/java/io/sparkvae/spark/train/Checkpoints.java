package io.sparkvae.spark.train;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.sparkvae.model.config.ParamSpec;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.Float32Codec;
import io.sparkvae.model.train.TrainingState;
import io.sparkvae.spark.fs.HadoopPublisher;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training checkpoints in a directory, through Hadoop's FileSystem (local, HDFS, S3 alike): one
 * file per checkpointed round, {@code checkpoint-round-NNNNNNNNNN.svck} (the number of rounds
 * done), written to a temporary sibling and renamed, the newest {@code keep} kept. Which rounds are
 * checkpointed (every N, each epoch's end) is the caller's choice.
 *
 * <p>File layout (format version 2): the 8-byte magic {@code SVAECKPT}, the format version (int32,
 * big-endian), the length of a UTF-8 JSON header (int32) and the header (epochs done, minibatches
 * done in the unfinished epoch and its statistics so far, rounds, Adam step, parameter count,
 * whether an outer momentum buffer follows, the divergence rollbacks so far, the options that
 * define the run and their hash, the epoch history, how many replicas' own Adam moments follow);
 * then little-endian float32 arrays ({@link Float32Codec}, as in a model's parameters.bin):
 * parameters, Adam first and second moments, the momentum buffer if any, and with {@code
 * adamState=local} each replica's first and second moments in partition order; then the SHA-256 of
 * everything before it. Reading checks every part and never deserializes Java objects. Version 1
 * (epoch ends only, files {@code checkpoint-epoch-NNNNNN.svck}) is still read; its files count as
 * older than any of version 2.
 *
 * <p>Checkpoints belong to one run: a run with a run id names its files {@code
 * checkpoint-round-NNNNNNNNNN-RUNID.svck} and records the id in the header, prunes only its own
 * files, and never deletes another run's. Files without an id (written before run ids, or by a
 * caller that gives none) form one run of their own. {@link #latest} resumes the run whose
 * checkpoint was written last and adopts its id.
 *
 * <p>The class is over 400 lines because it holds one versioned file format (its writer and a
 * reader that checks every part, for two versions) together with the run-id rules for the
 * directory; the float arrays and the atomic write are shared ({@link Float32Codec}, {@code
 * HadoopPublisher}).
 */
public final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final byte[] MAGIC = "SVAECKPT".getBytes(StandardCharsets.US_ASCII);

  /** The checkpoint format version this code writes and reads. */
  public static final int FORMAT_VERSION = 2;

  private static final String PREFIX = "checkpoint-round-";
  private static final String PREFIX_V1 = "checkpoint-epoch-";
  private static final String SUFFIX = ".svck";
  private static final int MAX_HEADER = 64 << 20;

  /** Distributed settings that a resumed run may change. */
  private static final Set<String> NOT_IDENTITY =
      Set.of("epochs", "evalBatchSize", "replicas", "divergencePolicy", "maxRollbacks");

  private final Path dir;
  private final Configuration conf;
  private final int keep;
  private final Map<String, String> identity;
  private String runId;

  /**
   * Checkpoints of one run.
   *
   * @param identity the options that must match for a checkpoint to be resumed (see {@link
   *     #identity})
   * @param keep how many of the newest checkpoints to keep (at least 1)
   */
  public Checkpoints(String dir, Configuration conf, Map<String, String> identity, int keep) {
    this(dir, conf, identity, keep, "");
  }

  /**
   * Checkpoints of the run {@code runId} (letters and digits; empty: the run without an id).
   *
   * @param identity the options that must match for a checkpoint to be resumed (see {@link
   *     #identity})
   * @param keep how many of the run's newest checkpoints to keep (at least 1)
   */
  public Checkpoints(
      String dir, Configuration conf, Map<String, String> identity, int keep, String runId) {
    if (!runId.matches("[A-Za-z0-9]*")) {
      throw new IllegalArgumentException(
          "a run id has letters and digits only, got '" + runId + "'");
    }
    this.dir = new Path(dir);
    this.conf = conf;
    this.keep = Math.max(1, keep);
    this.identity = new TreeMap<>(identity);
    this.runId = runId;
  }

  /** The id of the run these checkpoints belong to (after {@link #latest}: the resumed run's). */
  public String runId() {
    return runId;
  }

  /**
   * The newest checkpoint file of another run in the directory, if any: a new run refuses to start
   * beside one unless told to.
   */
  public Optional<String> otherRun() throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    return list(fs).stream()
        .filter(p -> !runIdOf(p.getName()).equals(runId))
        .map(Path::toString)
        .findFirst();
  }

  /**
   * The options that define what a run computes, by name: every VAE hyperparameter and the
   * distributed settings except {@code epochs} (a resumed run may go on for more epochs), {@code
   * evalBatchSize}, {@code divergencePolicy} and {@code maxRollbacks} (a run stopped by divergence
   * may be resumed with rollbacks allowed; they change nothing while the run stays finite), plus
   * the resolved replica count.
   */
  public static Map<String, String> identity(
      VaeConfig config, DistributedConfig dist, int replicas) {
    Map<String, String> m = new TreeMap<>();
    for (ParamSpec<VaeConfig, VaeConfig.Builder, ?> p : VaeConfig.PARAMS) {
      m.put(p.name(), format(p, config));
    }
    for (ParamSpec<DistributedConfig, DistributedConfig.Builder, ?> p : DistributedConfig.PARAMS) {
      if (!NOT_IDENTITY.contains(p.name())) {
        m.put(p.name(), format(p, dist));
      }
    }
    m.put("replicas", String.valueOf(replicas));
    return m;
  }

  private static <C, T> String format(ParamSpec<C, ?, T> p, C c) {
    return p.format(p.get(c));
  }

  /** Writes the progress after a round, then removes checkpoints beyond the newest {@code keep}. */
  public void write(TrainingProgress progress) throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    fs.mkdirs(dir);
    Path target = new Path(dir, fileName(progress.rounds(), runId));
    HadoopPublisher.writeFile(fs, target, encode(progress));
    // Only this run's files: another run's checkpoints in the same directory are not ours to
    // delete.
    List<Path> own = list(fs).stream().filter(p -> runIdOf(p.getName()).equals(runId)).toList();
    for (int i = keep; i < own.size(); i++) {
      fs.delete(own.get(i), false);
    }
  }

  /**
   * The newest checkpoint that reads back intact; corrupt ones are skipped with a warning.
   *
   * @throws IllegalArgumentException when the newest intact checkpoint belongs to a run with other
   *     options, naming each differing option
   */
  public Optional<TrainingProgress> latest() throws IOException {
    FileSystem fs = dir.getFileSystem(conf);
    if (!fs.exists(dir)) {
      return Optional.empty();
    }
    List<Path> all = list(fs);
    if (all.isEmpty()) {
      return Optional.empty();
    }
    String run = lastWrittenRun(fs, all);
    for (Path p : all) {
      if (!runIdOf(p.getName()).equals(run)) {
        continue;
      }
      Decoded d;
      try (InputStream in = fs.open(p)) {
        d = decode(in.readAllBytes(), p.toString());
      } catch (IOException | RuntimeException e) {
        LOG.warn("skipping checkpoint {}: {}", p, e.getMessage());
        continue;
      }
      if (!d.runId().equals(run)) {
        LOG.warn(
            "skipping checkpoint {}: its header says run '{}', its name run '{}'",
            p,
            d.runId(),
            run);
        continue;
      }
      List<String> differing = new ArrayList<>();
      for (String k : union(identity, d.identity())) {
        if (!String.valueOf(identity.get(k)).equals(String.valueOf(d.identity().get(k)))) {
          differing.add(
              k + " (checkpoint " + d.identity().get(k) + ", now " + identity.get(k) + ")");
        }
      }
      if (!differing.isEmpty()) {
        throw new IllegalArgumentException(
            "checkpoint "
                + p
                + " was written by a run with other options: "
                + String.join(", ", differing)
                + "; use another --checkpoint-dir or the same options");
      }
      LOG.info(
          "resuming from {} ({}, {} rounds)", p, d.progress().describe(), d.progress().rounds());
      runId = run;
      return Optional.of(d.progress());
    }
    return Optional.empty();
  }

  private static List<String> union(Map<String, String> a, Map<String, String> b) {
    TreeMap<String, String> u = new TreeMap<>(a);
    u.putAll(b);
    return new ArrayList<>(u.keySet());
  }

  /** The file name of the checkpoint after {@code rounds} rounds. */
  static String fileName(long rounds) {
    return fileName(rounds, "");
  }

  /** The file name of run {@code run}'s checkpoint after {@code rounds} rounds. */
  static String fileName(long rounds, String run) {
    return String.format("%s%010d%s%s", PREFIX, rounds, run.isEmpty() ? "" : "-" + run, SUFFIX);
  }

  /** The run id in a checkpoint's file name; empty for files without one. */
  static String runIdOf(String fileName) {
    int at = PREFIX.length() + 10;
    if (!fileName.startsWith(PREFIX) || fileName.length() <= at || fileName.charAt(at) != '-') {
      return "";
    }
    return fileName.substring(at + 1, fileName.length() - SUFFIX.length());
  }

  /** The run whose newest file was modified last: the one a resume continues. */
  private static String lastWrittenRun(FileSystem fs, List<Path> files) throws IOException {
    String run = null;
    long newest = Long.MIN_VALUE;
    for (Path p : files) {
      long t = fs.getFileStatus(p).getModificationTime();
      if (run == null || t > newest) {
        run = runIdOf(p.getName());
        newest = t;
      }
    }
    return run;
  }

  /** Checkpoint files, newest first: by round, then those of format version 1 by epoch. */
  private List<Path> list(FileSystem fs) throws IOException {
    List<Path> current = new ArrayList<>();
    List<Path> v1 = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      String n = s.getPath().getName();
      if (n.endsWith(SUFFIX) && n.startsWith(PREFIX)) {
        current.add(s.getPath());
      } else if (n.endsWith(SUFFIX) && n.startsWith(PREFIX_V1)) {
        v1.add(s.getPath());
      }
    }
    // Zero-padded numbers: the names sort as the numbers do.
    current.sort((x, y) -> y.getName().compareTo(x.getName()));
    v1.sort((x, y) -> y.getName().compareTo(x.getName()));
    current.addAll(v1);
    return current;
  }

  byte[] encode(TrainingProgress p) throws IOException {
    TrainingState s = p.state();
    JsonObject h = new JsonObject();
    h.addProperty("epochsDone", p.epochsDone());
    h.addProperty("stepInEpoch", p.stepInEpoch());
    JsonObject soFar = new JsonObject();
    soFar.addProperty("lossSum", p.epochSoFar().lossSum());
    soFar.addProperty("examples", p.epochSoFar().examples());
    soFar.addProperty("seconds", p.epochSoFar().seconds());
    soFar.addProperty("computeSeconds", p.epochSoFar().computeSeconds());
    soFar.addProperty("rounds", p.epochSoFar().rounds());
    finite(soFar, "replicaCpuSeconds", p.epochSoFar().replicaCpuSeconds());
    finite(soFar, "driverJitSeconds", p.epochSoFar().driverJitSeconds());
    h.add("epochSoFar", soFar);
    h.addProperty("rounds", p.rounds());
    h.addProperty("step", s.step());
    h.addProperty("paramCount", s.params().length);
    h.addProperty("hasVelocity", p.velocity() != null);
    h.addProperty("rollbacks", p.rollbacks());
    h.addProperty("replicaMoments", p.replicaMoments().size());
    h.addProperty("runId", runId);
    JsonObject id = new JsonObject();
    identity.forEach(id::addProperty);
    h.add("options", id);
    h.addProperty(
        "optionsHash", Float32Codec.sha256Hex(id.toString().getBytes(StandardCharsets.UTF_8)));
    JsonArray hist = new JsonArray();
    for (EpochMetrics m : p.history()) {
      hist.add(JsonParser.parseString(m.toJson()));
    }
    h.add("history", hist);
    byte[] header = new Gson().toJson(h).getBytes(StandardCharsets.UTF_8);
    List<float[]> arrays = new ArrayList<>(List.of(s.params(), s.adamM(), s.adamV()));
    if (p.velocity() != null) {
      arrays.add(p.velocity());
    }
    for (ReplicaMoments r : p.replicaMoments()) {
      arrays.add(r.adamM());
      arrays.add(r.adamV());
    }
    int n = s.params().length;
    long payload = (long) arrays.size() * n * 4;
    if (16L + header.length + payload + 32 > Integer.MAX_VALUE - 8) {
      throw new IOException(
          "a checkpoint of "
              + payload
              + " bytes of arrays is larger than this format allows (2 GiB)");
    }
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) (16 + header.length + payload + 32));
    out.write(MAGIC);
    out.write(ByteBuffer.allocate(8).putInt(FORMAT_VERSION).putInt(header.length).array());
    out.write(header);
    out.write(Float32Codec.encode(arrays, n));
    out.write(Float32Codec.sha256(out.toByteArray()));
    return out.toByteArray();
  }

  record Decoded(TrainingProgress progress, Map<String, String> identity, String runId) {}

  static Decoded decode(byte[] b, String name) throws IOException {
    if (b.length < 16 + 32) {
      throw new IOException(name + " is truncated (" + b.length + " bytes)");
    }
    if (!Arrays.equals(Arrays.copyOf(b, 8), MAGIC)) {
      throw new IOException(name + " is not a SparkVAE checkpoint (bad magic)");
    }
    byte[] expected = Arrays.copyOfRange(b, b.length - 32, b.length);
    if (!MessageDigest.isEqual(expected, Float32Codec.sha256(Arrays.copyOf(b, b.length - 32)))) {
      throw new IOException(name + " is corrupt (checksum mismatch)");
    }
    try {
      return parse(b, name);
    } catch (RuntimeException e) {
      // A file whose checksum matches but whose header does not hold what this format says (a
      // missing or mistyped field): an unreadable checkpoint like any other, named.
      throw new IOException(name + " has an invalid header: " + e, e);
    }
  }

  /** The body of {@link #decode}, once the magic and the checksum are known to be right. */
  private static Decoded parse(byte[] b, String name) throws IOException {
    Header header = header(b, name);
    JsonObject h = header.json();
    int n = h.get("paramCount").getAsInt();
    boolean hasVelocity = h.get("hasVelocity").getAsBoolean();
    // "replicaMoments" (version 2): how many replicas' own Adam moments follow, two arrays each.
    JsonElement replicaCount = h.get("replicaMoments");
    int replicas = replicaCount == null ? 0 : replicaCount.getAsInt();
    if (replicas < 0 || replicas > 1 << 20) {
      throw new IOException(name + " has an invalid replica count " + replicas);
    }
    int first = hasVelocity ? 4 : 3;
    int arrays = first + 2 * replicas;
    long payload = (long) arrays * n * 4;
    if (n < 1 || 16L + header.length() + payload + 32 != b.length) {
      throw new IOException(
          name
              + " holds "
              + (b.length - 16 - header.length() - 32)
              + " payload bytes, expected "
              + payload);
    }
    float[][] a = Float32Codec.decode(b, 16 + header.length(), arrays, n);
    Map<String, String> identity = options(h);
    List<EpochMetrics> history = history(h);
    TrainingState state = new TrainingState(a[0], a[1], a[2], h.get("step").getAsLong());
    // "rollbacks" came after the first checkpoints of format 1: absent means none happened.
    JsonElement rollbacks = h.get("rollbacks");
    int stepInEpoch = header.version() >= 2 ? h.get("stepInEpoch").getAsInt() : 0;
    TrainingProgress.EpochSoFar soFar = epochSoFar(h, header.version());
    List<ReplicaMoments> moments = new ArrayList<>();
    for (int r = 0; r < replicas; r++) {
      moments.add(new ReplicaMoments(r, a[first + 2 * r], a[first + 2 * r + 1]));
    }
    TrainingProgress progress;
    try {
      progress =
          new TrainingProgress(
              h.get("epochsDone").getAsInt(),
              stepInEpoch,
              h.get("rounds").getAsLong(),
              state,
              hasVelocity ? a[3] : null,
              history,
              soFar,
              rollbacks == null ? 0 : rollbacks.getAsInt(),
              moments);
    } catch (IllegalArgumentException e) {
      throw new IOException(name + " has an inconsistent header: " + e.getMessage(), e);
    }
    JsonElement run = h.get("runId");
    return new Decoded(progress, identity, run == null ? "" : run.getAsString());
  }

  /** A checkpoint's format version and JSON header, and the header's length in bytes. */
  private record Header(int version, int length, JsonObject json) {}

  private static Header header(byte[] b, String name) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b, 8, b.length - 8));
    int version = in.readInt();
    if (version != FORMAT_VERSION && version != 1) {
      throw new IOException(
          name
              + " has checkpoint format version "
              + version
              + "; this SparkVAE reads 1 to "
              + FORMAT_VERSION);
    }
    int headerLength = in.readInt();
    if (headerLength < 2 || headerLength > MAX_HEADER || 16L + headerLength + 32 > b.length) {
      throw new IOException(name + " has an invalid header length " + headerLength);
    }
    try {
      JsonObject h =
          JsonParser.parseString(new String(b, 16, headerLength, StandardCharsets.UTF_8))
              .getAsJsonObject();
      return new Header(version, headerLength, h);
    } catch (RuntimeException e) {
      throw new IOException(name + " has an unreadable header: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> options(JsonObject h) {
    Map<String, String> identity = new TreeMap<>();
    for (Map.Entry<String, JsonElement> e : h.getAsJsonObject("options").entrySet()) {
      identity.put(e.getKey(), e.getValue().getAsString());
    }
    return identity;
  }

  private static List<EpochMetrics> history(JsonObject h) {
    List<EpochMetrics> history = new ArrayList<>();
    for (JsonElement e : h.getAsJsonArray("history")) {
      history.add(EpochMetrics.fromJson(e.getAsJsonObject()));
    }
    return history;
  }

  /**
   * The statistics of the unfinished epoch (format version 2; none in version 1, which saved only
   * epoch ends).
   */
  private static TrainingProgress.EpochSoFar epochSoFar(JsonObject h, int version) {
    if (version < 2) {
      return TrainingProgress.EpochSoFar.NONE;
    }
    JsonObject e = h.getAsJsonObject("epochSoFar");
    return new TrainingProgress.EpochSoFar(
        e.get("lossSum").getAsDouble(),
        e.get("examples").getAsLong(),
        e.get("seconds").getAsDouble(),
        e.get("computeSeconds").getAsDouble(),
        e.get("rounds").getAsInt(),
        EpochMetrics.numberOrNaN(e, "replicaCpuSeconds"),
        EpochMetrics.numberOrNaN(e, "driverJitSeconds"));
  }

  /** A number written only when finite (JSON has no NaN). */
  private static void finite(JsonObject o, String name, double value) {
    if (Double.isFinite(value)) {
      o.addProperty(name, value);
    }
  }
}
