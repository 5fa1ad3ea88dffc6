package io.sparkvae.spark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.spark.fs.OutputGuard;
import org.junit.jupiter.api.Test;

/** Which failures print a stack trace, and the hint for a driver a secured master refused. */
class JobMainTest {
  @Test
  void ourOwnRefusalsAreUserErrorsWithoutAStackTraceButForeignOnesAreNot() {
    Exception refused =
        assertThrowsFrom(() -> OutputGuard.checkReport(java.nio.file.Path.of("/"), false));
    assertTrue(JobMain.isUserError(refused), "a refusal thrown by SparkVAE");
    IllegalStateException spark =
        new IllegalStateException("Cannot call methods on a stopped SparkContext.");
    spark.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement(
              "org.apache.spark.SparkContext", "assertNotStopped", "SparkContext.scala", 1)
        });
    assertFalse(JobMain.isUserError(spark), "Spark's own failures keep their stack trace");
    assertTrue(JobMain.hint(spark).contains("SPARKVAE_AUTH_SECRET"), JobMain.hint(spark));
    assertEquals("", JobMain.hint(refused));
  }

  @Test
  void aMissingColumnOfAnInputWithoutColumnsSaysWhatThatMeans() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new io.sparkvae.spark.train.FeatureColumn("features")
                    .validate(new org.apache.spark.sql.types.StructType()));
    assertEquals(
        "features column 'features' does not exist; the input has no columns at all (is it empty, or not"
            + " in the --input-format given?)",
        e.getMessage());
  }

  interface Body {
    void run() throws Exception;
  }

  static Exception assertThrowsFrom(Body b) {
    try {
      b.run();
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("nothing thrown");
  }
}
