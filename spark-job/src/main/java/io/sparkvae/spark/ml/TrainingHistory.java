package io.sparkvae.spark.ml;

import static io.sparkvae.spark.train.EpochMetrics.countOrMinusOne;
import static io.sparkvae.spark.train.EpochMetrics.numberOrNaN;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.sparkvae.spark.train.EpochMetrics;
import io.sparkvae.spark.train.SkippedRows;
import io.sparkvae.spark.train.TrainingResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training history kept in a model's metadata (the free-form string pairs of {@code
 * model.json}), so it survives save and load and is readable without Spark.
 *
 * <p>Key {@value #HISTORY_KEY}: a JSON array with one object per epoch, with the fields of {@link
 * EpochMetrics} ({@code epoch, trainNegElbo, valNegElbo, samplesPerSec, seconds, averagingSeconds,
 * rounds, examples, step, round, roundPayloadBytes, executorRssBytes, replicaCpuSeconds,
 * driverJitSeconds, executorJitSeconds, taskCores}, the last seven absent or null in histories
 * saved before they were recorded; skipped rows are not kept); losses in nats per example, times in
 * seconds); numbers are written with full precision (a non-finite value, such as the validation
 * loss of a run without validation, is {@code null}), so the history reads back exactly.
 */
final class TrainingHistory {
  private TrainingHistory() {}

  /** Metadata key of the per-epoch history. */
  static final String HISTORY_KEY = "trainingHistory";

  /**
   * Keys that models trained before there was one training path carry, and their names now: the
   * command line wrote {@code trainer}, {@code train_neg_elbo}, {@code val_neg_elbo} (and no
   * history), model-lib's {@code TrainLocal} {@code trainer} and {@code test_neg_elbo}.
   */
  static final Map<String, String> LEGACY_KEYS =
      Map.of(
          "trainer",
          "trainedBy",
          "train_neg_elbo",
          "trainNegElbo",
          "val_neg_elbo",
          "valNegElbo",
          "test_neg_elbo",
          "testNegElbo");

  /**
   * A saved model's metadata in today's vocabulary: each legacy key renamed (a value under today's
   * name, if both are present, wins), and a non-finite {@code valNegElbo} dropped, as {@link
   * #metadata} omits it; every other entry as it is, in its order.
   */
  static Map<String, String> upgrade(Map<String, String> metadata) {
    if (LEGACY_KEYS.keySet().stream().noneMatch(metadata::containsKey)) {
      return metadata;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String key = LEGACY_KEYS.getOrDefault(e.getKey(), e.getKey());
      boolean legacy = !key.equals(e.getKey());
      if (legacy
          && (metadata.containsKey(key) || (key.equals("valNegElbo") && !finite(e.getValue())))) {
        continue;
      }
      m.put(key, e.getValue());
    }
    return m;
  }

  /**
   * {@code trained} with its metadata in today's vocabulary (itself when there was nothing to
   * rename).
   */
  static io.sparkvae.model.format.TrainedVae upgrade(io.sparkvae.model.format.TrainedVae trained) {
    Map<String, String> m = upgrade(trained.metadata());
    return m == trained.metadata()
        ? trained
        : new io.sparkvae.model.format.TrainedVae(trained.config(), trained.params(), m);
  }

  private static boolean finite(String number) {
    try {
      return Double.isFinite(Double.parseDouble(number));
    } catch (NumberFormatException e) {
      return true; // not a number at all: kept as written
    }
  }

  /** The metadata of a model fitted by {@link VaeEstimator}. */
  static Map<String, String> metadata(
      TrainingResult r, String estimatorUid, String featuresCol, String sparkVersion) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("trainedBy", VaeEstimator.class.getName());
    m.put("uid", estimatorUid);
    m.put("sparkVersion", sparkVersion);
    m.put("featuresCol", featuresCol);
    m.put("replicas", String.valueOf(r.replicas()));
    m.put("epochs", String.valueOf(r.history().size()));
    m.put("steps", String.valueOf(r.state().step()));
    if (!r.history().isEmpty()) {
      EpochMetrics last = r.history().get(r.history().size() - 1);
      m.put("trainNegElbo", String.valueOf(last.trainNegElbo()));
      if (Double.isFinite(last.valNegElbo())) {
        m.put("valNegElbo", String.valueOf(last.valNegElbo()));
      }
    }
    m.put(HISTORY_KEY, toJson(r.history()));
    return m;
  }

  static String toJson(List<EpochMetrics> history) {
    JsonArray a = new JsonArray();
    for (EpochMetrics e : history) {
      JsonObject o = new JsonObject();
      o.addProperty("epoch", e.epoch());
      o.add("trainNegElbo", number(e.trainNegElbo()));
      o.add("valNegElbo", number(e.valNegElbo()));
      o.add("samplesPerSec", number(e.samplesPerSec()));
      o.add("seconds", number(e.seconds()));
      o.add("averagingSeconds", number(e.averagingSeconds()));
      o.addProperty("rounds", e.rounds());
      o.addProperty("examples", e.examples());
      o.addProperty("step", e.step());
      o.addProperty("round", e.round());
      o.addProperty("roundPayloadBytes", e.roundPayloadBytes());
      o.addProperty("executorRssBytes", e.executorRssBytes());
      o.add("replicaCpuSeconds", number(e.replicaCpuSeconds()));
      o.add("driverJitSeconds", number(e.driverJitSeconds()));
      o.add("executorJitSeconds", number(e.executorJitSeconds()));
      o.addProperty("taskCores", e.taskCores());
      a.add(o);
    }
    return a.toString();
  }

  private static JsonElement number(double d) {
    return Double.isFinite(d) ? new JsonPrimitive(d) : JsonNull.INSTANCE;
  }

  /**
   * The history in a model's metadata; empty when there is none (a model trained outside Spark).
   *
   * @throws IllegalArgumentException when the entry is not a valid history
   */
  static List<EpochMetrics> fromMetadata(Map<String, String> metadata) {
    String json = metadata.get(HISTORY_KEY);
    if (json == null) {
      return List.of();
    }
    try {
      List<EpochMetrics> out = new ArrayList<>();
      for (JsonElement el : JsonParser.parseString(json).getAsJsonArray()) {
        JsonObject o = el.getAsJsonObject();
        out.add(
            new EpochMetrics(
                o.get("epoch").getAsInt(),
                numberOrNaN(o, "trainNegElbo"),
                numberOrNaN(o, "valNegElbo"),
                numberOrNaN(o, "samplesPerSec"),
                numberOrNaN(o, "seconds"),
                numberOrNaN(o, "averagingSeconds"),
                o.get("rounds").getAsInt(),
                o.get("examples").getAsLong(),
                o.get("step").getAsLong(),
                countOrMinusOne(o, "round"),
                countOrMinusOne(o, "roundPayloadBytes"),
                countOrMinusOne(o, "executorRssBytes"),
                SkippedRows.NONE,
                SkippedRows.NONE,
                numberOrNaN(o, "replicaCpuSeconds"),
                numberOrNaN(o, "driverJitSeconds"),
                numberOrNaN(o, "executorJitSeconds"),
                (int) countOrMinusOne(o, "taskCores")));
      }
      return List.copyOf(out);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "metadata entry " + HISTORY_KEY + " is not a valid training history: " + e, e);
    }
  }
}
