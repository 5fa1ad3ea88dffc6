package io.sparkvae.model.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;

/**
 * Typed reads of fields of a parsed JSON document ({@link StrictJson}): each names the field
 * ({@code what}) and shows what was found instead, in an {@link IllegalArgumentException}.
 */
final class JsonFields {
  private JsonFields() {}

  static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  static String string(JsonElement e, String what) {
    if (!isString(e)) {
      throw new IllegalArgumentException(what + " must be a string, found " + shown(e));
    }
    return e.getAsString();
  }

  static BigDecimal number(JsonElement e, String what) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(what + " must be a number, found " + shown(e));
    }
    return e.getAsBigDecimal();
  }

  static int intValue(JsonElement e, String what) {
    BigDecimal n = number(e, what);
    try {
      return n.intValueExact();
    } catch (ArithmeticException x) {
      throw new IllegalArgumentException(what + " must be a 32-bit integer, found " + n, x);
    }
  }

  static JsonObject object(JsonObject parent, String field, String what) {
    return object(parent.get(field), what);
  }

  static JsonObject object(JsonElement e, String what) {
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, found " + shown(e));
    }
    return e.getAsJsonObject();
  }

  static JsonArray array(JsonElement e, String what) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + " must be a JSON array, found " + shown(e));
    }
    return e.getAsJsonArray();
  }

  static String shown(JsonElement e) {
    if (e == null) {
      return "nothing (the field is missing)";
    }
    String s = e.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
