package io.sparkvae.model.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.sparkvae.model.config.ExactJson;
import java.math.BigDecimal;

/**
 * Typed reads of fields of a parsed JSON document ({@link StrictJson}): each names the field
 * ({@code what}) and shows what was found instead, in an {@link IllegalArgumentException}. The
 * exact number and string readers are {@link ExactJson}'s, the same the hyperparameters' JSON forms
 * use.
 */
final class JsonFields {
  private JsonFields() {}

  static boolean isString(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }

  static String string(JsonElement e, String what) {
    return ExactJson.string(e, what);
  }

  static BigDecimal number(JsonElement e, String what) {
    return ExactJson.number(e, what);
  }

  static int intValue(JsonElement e, String what) {
    return ExactJson.int32(e, what);
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
    return ExactJson.shown(e);
  }
}
