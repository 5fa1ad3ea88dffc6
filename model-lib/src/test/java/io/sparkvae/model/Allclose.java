package io.sparkvae.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one tolerance helper of the test suite: {@code |a - e| <= atol + rtol * |e|}, shape first.
 */
public final class Allclose {
  private Allclose() {}

  /** Asserts element-wise closeness of two arrays of equal length. */
  public static void assertAllclose(
      double[] expected, double[] actual, double rtol, double atol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], actual[i], rtol, atol, what + "[" + i + "]");
    }
  }

  /** Float overload. */
  public static void assertAllclose(
      float[] expected, float[] actual, double rtol, double atol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], actual[i], rtol, atol, what + "[" + i + "]");
    }
  }

  /** Asserts one value. */
  public static void assertClose(
      double expected, double actual, double rtol, double atol, String what) {
    if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
      fail(
          what
              + ": expected "
              + expected
              + " but was "
              + actual
              + " (rtol "
              + rtol
              + ", atol "
              + atol
              + ")");
    }
  }
}
