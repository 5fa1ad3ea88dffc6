package io.sparkvae.model.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;

/**
 * Exact readers of JSON values: a number is read as a {@link BigDecimal}, so an int never silently
 * wraps, a long keeps every digit and a fraction is never truncated to an integer. Each message
 * names the field ({@code what}, such as {@code config.latentDim}) and shows what was found.
 */
public final class ExactJson {
  private ExactJson() {}

  /** A JSON number that is a 32-bit integer. */
  public static int int32(JsonElement e, String what) {
    BigDecimal n = number(e, what);
    try {
      return n.intValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(what + " must be a 32-bit integer, found " + n, x);
    }
  }

  /** A JSON number that is a 64-bit integer. */
  public static long int64(JsonElement e, String what) {
    BigDecimal n = number(e, what);
    try {
      return n.longValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(what + " must be a 64-bit integer, found " + n, x);
    }
  }

  /**
   * A JSON number as the nearest double; the text {@code Double.toString} wrote reads back to the
   * same double.
   */
  public static double float64(JsonElement e, String what) {
    return number(e, what).doubleValue();
  }

  /** A JSON number. */
  public static BigDecimal number(JsonElement e, String what) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(what + " must be a number, found " + shown(e));
    }
    return e.getAsBigDecimal();
  }

  /** A JSON string. */
  public static String string(JsonElement e, String what) {
    if (!isString(e)) {
      throw new IllegalArgumentException(what + " must be a string, found " + shown(e));
    }
    return e.getAsString();
  }

  /** A JSON {@code true} or {@code false}. */
  public static boolean bool(JsonElement e, String what) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new IllegalArgumentException(what + " must be true or false, found " + shown(e));
    }
    return e.getAsBoolean();
  }

  /** A JSON array of 32-bit integers; an element's message names it as {@code what[i]}. */
  public static int[] int32Array(JsonElement e, String what) {
    JsonArray a = array(e, what);
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = int32(a.get(i), what + "[" + i + "]");
    }
    return out;
  }

  /** True for a JSON string. */
  public static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  /** A JSON array. */
  public static JsonArray array(JsonElement e, String what) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + " must be a JSON array, found " + shown(e));
    }
    return e.getAsJsonArray();
  }

  /** A JSON object. */
  public static JsonObject object(JsonElement e, String what) {
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, found " + shown(e));
    }
    return e.getAsJsonObject();
  }

  /** The object-valued field {@code field} of {@code parent}. */
  public static JsonObject object(JsonObject parent, String field, String what) {
    return object(parent.get(field), what);
  }

  /** A value as shown in messages: its JSON text, cut at 80 characters. */
  public static String shown(JsonElement e) {
    if (e == null) {
      return "nothing (the field is missing)";
    }
    String s = e.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
