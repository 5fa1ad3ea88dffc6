package io.sparkvae.spark;

import io.sparkvae.spark.serde.SparkVaeKryoRegistrator;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one Spark fixture of the test suite: {@code local[2]} on 127.0.0.1, UI off, Kryo with
 * registration required (so a class missing from the registrator fails a test), and no stage
 * retries (a failure surfaces at once). Callers stop the session in {@code
 * finally}/{@code @AfterAll}.
 */
public final class SparkTestSession {
  private SparkTestSession() {}

  /** A new session; {@code extra} overrides or adds settings. */
  public static SparkSession start(String app, Map<String, String> extra) {
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[2]")
            .appName(app)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
            .config("spark.kryo.registrator", SparkVaeKryoRegistrator.class.getName())
            .config("spark.kryo.registrationRequired", "true")
            .config("spark.stage.maxConsecutiveAttempts", "1")
            .config("spark.task.maxFailures", "1")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.default.parallelism", "2");
    extra.forEach(b::config);
    return b.getOrCreate();
  }

  /** A new session with the default settings. */
  public static SparkSession start(String app) {
    return start(app, Map.of());
  }
}
