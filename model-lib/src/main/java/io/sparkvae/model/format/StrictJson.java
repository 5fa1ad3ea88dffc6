package io.sparkvae.model.format;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * The JSON reader of {@code model.json}: Gson's strict tokenizer under a tree builder that adds
 * what Gson's own {@code JsonParser} lacks, duplicate-key detection (Gson keeps the last value
 * silently) and limits that keep a corrupted or hostile file from exhausting the stack. A real
 * model.json is a few kilobytes and its numbers are short.
 */
final class StrictJson {
  private static final int MAX_JSON_DEPTH = 32;
  private static final int MAX_NUMBER_CHARS = 64;

  private StrictJson() {}

  /**
   * Parses one document: strict JSON (no comments, no NaN, one top-level value), rejecting
   * duplicate keys, which JSON leaves ambiguous, deep nesting, which could exhaust the stack, and
   * over-long numbers; numbers are kept exactly as {@link BigDecimal}s.
   *
   * @throws IOException (Gson's {@link MalformedJsonException} or {@code EOFException}) for text
   *     that is not such a document
   */
  static JsonElement parse(String text) throws IOException {
    JsonReader r = new JsonReader(new StringReader(text));
    r.setStrictness(Strictness.STRICT);
    JsonElement root = readValue(r, 0);
    if (r.peek() != JsonToken.END_DOCUMENT) {
      throw new MalformedJsonException("unexpected content after the top-level object");
    }
    return root;
  }

  private static JsonElement readValue(JsonReader r, int depth) throws IOException {
    if (depth > MAX_JSON_DEPTH) {
      throw new MalformedJsonException(
          "nested deeper than " + MAX_JSON_DEPTH + " levels at " + r.getPath());
    }
    JsonToken token = r.peek();
    switch (token) {
      case BEGIN_OBJECT:
        {
          JsonObject o = new JsonObject();
          r.beginObject();
          while (r.hasNext()) {
            String name = r.nextName();
            if (o.has(name)) {
              throw new MalformedJsonException("duplicate key \"" + name + "\" at " + r.getPath());
            }
            o.add(name, readValue(r, depth + 1));
          }
          r.endObject();
          return o;
        }
      case BEGIN_ARRAY:
        {
          JsonArray a = new JsonArray();
          r.beginArray();
          while (r.hasNext()) {
            a.add(readValue(r, depth + 1));
          }
          r.endArray();
          return a;
        }
      case STRING:
        return new JsonPrimitive(r.nextString());
      case NUMBER:
        {
          String path = r.getPath();
          String literal = r.nextString();
          if (literal.length() > MAX_NUMBER_CHARS) {
            throw new MalformedJsonException(
                "number longer than " + MAX_NUMBER_CHARS + " characters at " + path);
          }
          try {
            return new JsonPrimitive(new BigDecimal(literal));
          } catch (NumberFormatException e) {
            throw new MalformedJsonException("invalid number " + literal + " at " + path, e);
          }
        }
      case BOOLEAN:
        return new JsonPrimitive(r.nextBoolean());
      case NULL:
        r.nextNull();
        return JsonNull.INSTANCE;
      default:
        throw new MalformedJsonException("unexpected " + token + " at " + r.getPath());
    }
  }

}
