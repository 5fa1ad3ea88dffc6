package io.sparkvae.spark.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * One epoch of a training run, as logged and written to the metrics file (one JSON object per
 * line). Losses in nats per example.
 *
 * @param trainNegElbo mean training objective over the epoch's minibatches
 * @param valNegElbo mean negative ELBO on the validation set after the epoch (NaN without one)
 * @param samplesPerSec training examples per wall-clock second of the epoch's rounds
 * @param seconds wall-clock seconds of the epoch's rounds (validation excluded)
 * @param averagingSeconds part of {@code seconds} not spent in replica compute: broadcast, task
 *     launch, result transfer and the average itself
 */
public record EpochMetrics(
    int epoch, double trainNegElbo, double valNegElbo, double samplesPerSec, double seconds,
    double averagingSeconds, int rounds, long examples, long step) implements Serializable {

  /** The JSON line of this epoch. */
  public String toJson() {
    return String.format(Locale.ROOT,
        "{\"epoch\":%d,\"train_neg_elbo\":%s,\"val_neg_elbo\":%s,\"samples_per_sec\":%s,\"seconds\":%s,"
            + "\"averaging_seconds\":%s,\"rounds\":%d,\"examples\":%d,\"step\":%d}",
        epoch, num(trainNegElbo), num(valNegElbo), num(samplesPerSec), num(seconds), num(averagingSeconds),
        rounds, examples, step);
  }

  /** Reads a line written by {@link #toJson} (null numbers are NaN). */
  public static EpochMetrics fromJson(com.google.gson.JsonObject o) {
    return new EpochMetrics(o.get("epoch").getAsInt(), dbl(o, "train_neg_elbo"), dbl(o, "val_neg_elbo"),
        dbl(o, "samples_per_sec"), dbl(o, "seconds"), dbl(o, "averaging_seconds"), o.get("rounds").getAsInt(),
        o.get("examples").getAsLong(), o.get("step").getAsLong());
  }

  private static double dbl(com.google.gson.JsonObject o, String key) {
    com.google.gson.JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }

  private static String num(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null";
  }
}
