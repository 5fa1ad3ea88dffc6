package io.sparkvae.model.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** Each kind of value owns one exact JSON form: what it writes reads back bit for bit. */
class ParamTypeTest {
  private static JsonElement json(String text) {
    return JsonParser.parseString(text);
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void intNeverWraps() {
    assertEquals(784, ParamType.INT.fromJson(json("784"), "config.inputDim"));
    assertEquals(
        "config.inputDim must be a 32-bit integer, found 3000000000",
        message(() -> ParamType.INT.fromJson(json("3000000000"), "config.inputDim")));
    assertEquals(
        "config.inputDim must be a 32-bit integer, found 3.5",
        message(() -> ParamType.INT.fromJson(json("3.5"), "config.inputDim")));
    assertEquals(
        "config.inputDim must be a number, found \"7\"",
        message(() -> ParamType.INT.fromJson(json("\"7\""), "config.inputDim")));
  }

  @Test
  void longSeedKeepsEveryDigit() {
    long seed = Long.MAX_VALUE - 1; // not representable as a double
    JsonElement written = ParamType.LONG.toJson(seed);
    assertEquals("9223372036854775806", written.toString());
    assertEquals(seed, ParamType.LONG.fromJson(json(written.toString()), "config.seed"));
    assertEquals(
        "config.seed must be a 64-bit integer, found 9223372036854775808",
        message(() -> ParamType.LONG.fromJson(json("9223372036854775808"), "config.seed")));
  }

  @Test
  void doubleRoundTripsExactly() {
    for (double d :
        new double[] {0.1, 1e-8, 0.999, Math.PI, Double.MIN_VALUE, 1.0 / 3, 123456789.123456789}) {
      JsonElement written = ParamType.DOUBLE.toJson(d);
      assertEquals(Double.toString(d), written.toString());
      double back = ParamType.DOUBLE.fromJson(json(written.toString()), "config.beta");
      assertEquals(
          Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(back), written.toString());
    }
  }

  @Test
  void intListIsAnArrayAndTextIsAString() {
    assertEquals("[400,200]", ParamType.INT_LIST.toJson(new int[] {400, 200}).toString());
    assertArrayEquals(
        new int[] {400, 200},
        ParamType.INT_LIST.fromJson(json("[400, 200]"), "config.encoderHidden"));
    assertEquals(
        "config.encoderHidden[1] must be a 32-bit integer, found 2.5",
        message(() -> ParamType.INT_LIST.fromJson(json("[4, 2.5]"), "config.encoderHidden")));
    assertEquals(
        "config.encoderHidden must be a JSON array, found 400",
        message(() -> ParamType.INT_LIST.fromJson(json("400"), "config.encoderHidden")));
    assertEquals("\"a/b\"", ParamType.TEXT.toJson("a/b").toString());
    assertEquals(
        "x must be a string, found 1", message(() -> ParamType.TEXT.fromJson(json("1"), "x")));
    assertEquals(true, ParamType.BOOLEAN.fromJson(ParamType.BOOLEAN.toJson(true), "resume"));
  }
}
