package org.apache.spark.ml.util;

import java.util.function.Function;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.SparkSession;

/**
 * The one place where SparkVAE calls Spark ML helpers that Spark declares {@code private[ml]}:
 * writing and reading the {@code metadata/} directory of a saved stage ({@code
 * DefaultParamsWriter.saveMetadata}, {@code DefaultParamsReader.loadMetadata}) and Spark's default
 * params-only reader. It lives in Spark's own package, as XGBoost4J-Spark's {@code SparkUtils}
 * does, so that a Spark upgrade that changes those helpers breaks this file only.
 *
 * <p>The metadata is Spark's JSON (class, uid, timestamp, sparkVersion, paramMap and
 * defaultParamMap), so {@code Pipeline}/{@code PipelineModel} persistence and Spark's tooling read
 * SparkVAE stages like their own.
 */
public final class SparkVaeMlAdapter {
  private SparkVaeMlAdapter() {}

  /** Writes {@code <path>/metadata} for {@code instance}: its class, uid and every param. */
  public static void saveMetadata(Params instance, String path, SparkSession spark) {
    DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark);
  }

  /**
   * Reads {@code <path>/metadata}, checks that it was written for {@code expected}, creates the
   * instance with the saved uid through {@code create}, and sets its saved params and defaults.
   *
   * @throws IllegalArgumentException when the metadata names another class
   */
  public static <T extends Params> T loadParams(
      String path, SparkSession spark, Class<T> expected, Function<String, T> create) {
    DefaultParamsReader.Metadata metadata =
        DefaultParamsReader$.MODULE$.loadMetadata(path, spark, expected.getName());
    T instance = create.apply(metadata.uid());
    metadata.getAndSetParams(instance, scala.Option.empty());
    return instance;
  }

  /**
   * Spark's reader for stages made of params only: it reads the metadata and calls the class's
   * public {@code (String uid)} constructor.
   */
  public static <T> MLReader<T> defaultParamsReader() {
    return new DefaultParamsReader<>();
  }
}
