package io.sparkvae.spark.train;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The JIT compilers' CPU seconds of the executor JVMs: every executor of a cluster compiles the
 * replica's code path again, on the cores its replicas train on. Each replica's task reads its
 * JVM's {@link CompilerTime} at its end; the driver keeps each executor's newest reading, and an
 * epoch's share is the sum over executors of how far their readings moved since the last epoch's
 * end. In local mode the replicas run in the driver's JVM, whose compiling {@link
 * EpochMetrics#driverJitSeconds} already holds, so they report nothing here.
 */
public final class ExecutorJit {
  /** One executor's compiler seconds so far, as a task read them. */
  public record Reading(String executor, double seconds) implements Serializable {}

  /** The executor id of the driver's JVM (Spark's {@code SparkContext.DRIVER_IDENTIFIER}). */
  private static final String DRIVER = "driver";

  private final CollectionAccumulator<Reading> readings;
  private final Map<String, Double> latest = new HashMap<>();
  private final Map<String, Double> mark = new HashMap<>();

  ExecutorJit(JavaSparkContext jsc) {
    this(jsc.sc().collectionAccumulator("sparkvae executor JIT seconds"));
  }

  ExecutorJit(CollectionAccumulator<Reading> readings) {
    this.readings = readings;
  }

  /** What a job's tasks add their readings to. */
  CollectionAccumulator<Reading> accumulator() {
    return readings;
  }

  /**
   * In a task: adds this executor's reading, unless the task runs in the driver's JVM (local mode)
   * or the JVM cannot tell. A reading lists the JVM's threads (about 1 ms), once per task.
   */
  static void read(CollectionAccumulator<Reading> to) {
    SparkEnv env = SparkEnv.get();
    if (env == null || DRIVER.equals(env.executorId())) {
      return;
    }
    double seconds = CompilerTime.seconds();
    if (Double.isFinite(seconds)) {
      to.add(new Reading(env.executorId(), seconds));
    }
  }

  /** Before a job: forgets the last job's readings. */
  void reset() {
    readings.reset();
  }

  /**
   * After a job: keeps each executor's newest reading. An executor's count starts at the smallest
   * reading of the first job it ran tasks of (the readings come in no particular order), so what it
   * compiled before its first task ended is not counted.
   */
  void collect() {
    Map<String, Double> first = new HashMap<>();
    for (Reading r : readings.value()) {
      if (!mark.containsKey(r.executor())) {
        first.merge(r.executor(), r.seconds(), Math::min);
      }
      latest.merge(r.executor(), r.seconds(), Math::max);
    }
    mark.putAll(first);
  }

  /**
   * The executors' compiler seconds since the last call (the last epoch's end), summed; NaN when no
   * executor has reported (local mode, or not Linux).
   */
  double sinceLastCall() {
    if (latest.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (Map.Entry<String, Double> e : latest.entrySet()) {
      sum += Math.max(0, e.getValue() - mark.get(e.getKey()));
    }
    mark.putAll(latest);
    return sum;
  }
}
