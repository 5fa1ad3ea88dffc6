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
 *     launch, result transfer and the average itself. A round's compute is the replicas' compute
 *     seconds as the task slots ran them: with R replicas on S slots ({@code
 *     spark.default.parallelism / spark.task.cpus}) they run in ceil(R / S) waves, each as long as
 *     the mean replica, so replicas waiting for a slot are compute, not overhead. What is left is
 *     overhead plus the imbalance between replicas (a wave lasts as long as its slowest replica)
 * @param rounds averaging rounds in the epoch
 * @param round rounds of the run so far (the global round counter at the epoch's end); -1 unknown
 * @param roundPayloadBytes serialized bytes one round moves: the broadcast state plus every
 *     replica's result; -1 unknown
 * @param executorRssBytes the largest resident set size of an executor JVM, measured by the
 *     replicas at the end of the epoch's last round; -1 unknown (not Linux)
 * @param skippedTraining training rows the run leaves out under {@code badRowPolicy=skip} (the same
 *     every epoch: bad rows are left out of the shards once)
 * @param skippedValidation validation rows left out likewise
 * @param replicaCpuSeconds CPU seconds the replicas' threads used in their minibatch steps during
 *     the epoch, summed over the replicas: next to {@code seconds * taskCores}, the share of the
 *     cores the replicas' steps used. Unlike {@code averagingSeconds}, it does not count a replica
 *     waiting for a core (behind the JIT compiler, Spark's threads or another replica) as compute.
 *     With more than one PyTorch intra-op thread per task, PyTorch's worker threads are not
 *     counted. NaN unknown
 * @param driverJitSeconds CPU seconds the driver JVM's JIT compiler threads used from the epoch's
 *     first round to its last ({@link CompilerTime}); in Spark local mode the replicas run in that
 *     JVM, so this is all of the job's compiling. A compiler thread that ends (HotSpot retires idle
 *     ones on machines with many cores) takes its seconds along, so then it is a lower bound. NaN
 *     unknown (not Linux)
 * @param executorJitSeconds CPU seconds the executor JVMs' JIT compiler threads used in the epoch,
 *     summed over executors ({@link ExecutorJit}: from each executor's reading at the end of the
 *     last epoch's last round, or its first task, to its reading at the end of this epoch's last
 *     round; the part of an epoch done before a resume is not counted). NaN in local mode, where
 *     {@code driverJitSeconds} holds the replicas' compiling, and off Linux
 * @param taskCores cores the replicas' tasks had at the epoch's end: task slots times {@code
 *     spark.task.cpus}; -1 unknown
 */
public record EpochMetrics(
    int epoch,
    double trainNegElbo,
    double valNegElbo,
    double samplesPerSec,
    double seconds,
    double averagingSeconds,
    int rounds,
    long examples,
    long step,
    long round,
    long roundPayloadBytes,
    long executorRssBytes,
    SkippedRows skippedTraining,
    SkippedRows skippedValidation,
    double replicaCpuSeconds,
    double driverJitSeconds,
    double executorJitSeconds,
    int taskCores)
    implements Serializable {

  /** An epoch that left no rows out. */
  public EpochMetrics(
      int epoch,
      double trainNegElbo,
      double valNegElbo,
      double samplesPerSec,
      double seconds,
      double averagingSeconds,
      int rounds,
      long examples,
      long step,
      long round,
      long roundPayloadBytes,
      long executorRssBytes) {
    this(
        epoch,
        trainNegElbo,
        valNegElbo,
        samplesPerSec,
        seconds,
        averagingSeconds,
        rounds,
        examples,
        step,
        round,
        roundPayloadBytes,
        executorRssBytes,
        SkippedRows.NONE,
        SkippedRows.NONE,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        -1);
  }

  /** An epoch whose round costs are not known (histories written before they were recorded). */
  public EpochMetrics(
      int epoch,
      double trainNegElbo,
      double valNegElbo,
      double samplesPerSec,
      double seconds,
      double averagingSeconds,
      int rounds,
      long examples,
      long step) {
    this(
        epoch,
        trainNegElbo,
        valNegElbo,
        samplesPerSec,
        seconds,
        averagingSeconds,
        rounds,
        examples,
        step,
        -1,
        -1,
        -1);
  }

  /** The JSON line of this epoch. */
  public String toJson() {
    return String.format(
        Locale.ROOT,
        "{\"epoch\":%d,\"train_neg_elbo\":%s,\"val_neg_elbo\":%s,\"samples_per_sec\":%s,\"seconds\":%s,"
            + "\"averaging_seconds\":%s,\"rounds\":%d,\"examples\":%d,\"step\":%d,\"round\":%s,"
            + "\"round_payload_bytes\":%s,\"executor_rss_bytes\":%s,\"skipped_training_rows\":%s,"
            + "\"skipped_validation_rows\":%s,\"replica_cpu_seconds\":%s,\"driver_jit_seconds\":%s,"
            + "\"executor_jit_seconds\":%s,\"task_cores\":%s}",
        epoch,
        num(trainNegElbo),
        num(valNegElbo),
        num(samplesPerSec),
        num(seconds),
        num(averagingSeconds),
        rounds,
        examples,
        step,
        count(round),
        count(roundPayloadBytes),
        count(executorRssBytes),
        skippedTraining.toJson(),
        skippedValidation.toJson(),
        num(replicaCpuSeconds),
        num(driverJitSeconds),
        num(executorJitSeconds),
        count(taskCores));
  }

  /** Reads a line written by {@link #toJson} (null numbers are NaN). */
  public static EpochMetrics fromJson(com.google.gson.JsonObject o) {
    return new EpochMetrics(
        o.get("epoch").getAsInt(),
        numberOrNaN(o, "train_neg_elbo"),
        numberOrNaN(o, "val_neg_elbo"),
        numberOrNaN(o, "samples_per_sec"),
        numberOrNaN(o, "seconds"),
        numberOrNaN(o, "averaging_seconds"),
        o.get("rounds").getAsInt(),
        o.get("examples").getAsLong(),
        o.get("step").getAsLong(),
        countOrMinusOne(o, "round"),
        countOrMinusOne(o, "round_payload_bytes"),
        countOrMinusOne(o, "executor_rss_bytes"),
        SkippedRows.fromJson(o.get("skipped_training_rows")),
        SkippedRows.fromJson(o.get("skipped_validation_rows")),
        numberOrNaN(o, "replica_cpu_seconds"),
        numberOrNaN(o, "driver_jit_seconds"),
        numberOrNaN(o, "executor_jit_seconds"),
        (int) countOrMinusOne(o, "task_cores"));
  }

  /**
   * A JSON count, or -1 (unknown) where it is null or absent: the counts' counterpart of {@link
   * #numberOrNaN}.
   */
  public static long countOrMinusOne(com.google.gson.JsonObject o, String key) {
    com.google.gson.JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? -1 : e.getAsLong();
  }

  private static String count(long n) {
    return n < 0 ? "null" : Long.toString(n);
  }

  /**
   * A JSON number, or NaN (unknown) where it is null or absent: how the metrics file, a
   * checkpoint's unfinished epoch and a model's training history read the fields recorded since a
   * version (and non-finite values, which they write as null).
   */
  public static double numberOrNaN(com.google.gson.JsonObject o, String key) {
    com.google.gson.JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }

  private static String num(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "null";
  }
}
