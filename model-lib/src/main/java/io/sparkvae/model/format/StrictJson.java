package io.sparkvae.model.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The JSON reader of {@code model.json}: Jackson's streaming parser with its own safeguards ({@link
 * StreamReadFeature#STRICT_DUPLICATE_DETECTION}, which JSON leaves ambiguous and Gson's parser
 * resolves silently by keeping the last value; {@link StreamReadConstraints} on nesting, which
 * could exhaust the stack, and on the length of numbers and strings), turned into the Gson tree
 * that {@link ModelFormat} validates. Strict JSON as Jackson parses it by default: no comments, no
 * NaN, no single quotes, one top-level value. Numbers are kept exactly, as {@link BigDecimal}s.
 */
final class StrictJson {
  // A real model.json is a few kilobytes; its numbers are short and its nesting shallow.
  private static final int MAX_DEPTH = 32;
  private static final int MAX_NUMBER_CHARS = 64;
  private static final int MAX_STRING_CHARS = 1 << 20;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  .maxNumberLength(MAX_NUMBER_CHARS)
                  .maxStringLength(MAX_STRING_CHARS)
                  .build())
          .build();

  // A real model.json is a few kilobytes.
  private static final int MAX_JSON_BYTES = 16 << 20;

  private StrictJson() {}

  /** Reads a file that must be small, never holding more than the cap in memory. */
  static String readDocument(ModelStore store, String name, String path) throws IOException {
    byte[] bytes = null;
    try {
      if (store.size(name) <= MAX_JSON_BYTES) {
        try (InputStream in = store.open(name)) {
          bytes = in.readNBytes(MAX_JSON_BYTES + 1);
        }
      }
    } catch (IOException e) {
      throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    if (bytes == null || bytes.length > MAX_JSON_BYTES) {
      throw new InvalidModel(
          path + " is larger than " + (MAX_JSON_BYTES >> 20) + " MiB; not a SparkVAE model.json");
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new InvalidModel(path + ": not valid UTF-8 text", e);
    }
  }

  /**
   * Parses one document.
   *
   * @throws IOException for text that is not one strict JSON value within the limits; the message
   *     says what and where ("Duplicate field 'format' at line 3, column 31")
   */
  static JsonElement parse(String text) throws IOException {
    try {
      return document(text);
    } catch (JsonProcessingException e) {
      // Jackson's own message names the problem; its location suffix also says the source is
      // redacted, on a second line. Keep the problem and the line and column.
      JsonLocation at = e.getLocation();
      throw new IOException(
          e.getOriginalMessage()
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()),
          e);
    }
  }

  private static JsonElement document(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new JsonParseException(p, "empty document");
      }
      JsonElement root = value(p, first);
      if (p.nextToken() != null) {
        throw new JsonParseException(p, "unexpected content after the top-level value");
      }
      return root;
    }
  }

  /** The value that starts at {@code token}; Jackson's depth limit bounds this recursion. */
  private static JsonElement value(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        JsonObject o = new JsonObject();
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String name = p.currentName();
          o.add(name, value(p, p.nextToken()));
        }
        return o;
      case START_ARRAY:
        JsonArray a = new JsonArray();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          a.add(value(p, t));
        }
        return a;
      case VALUE_STRING:
        return new JsonPrimitive(p.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        // The literal itself, already checked by the parser: exact, and never rounded to a double.
        return new JsonPrimitive(new BigDecimal(p.getText()));
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new JsonPrimitive(p.getBooleanValue());
      case VALUE_NULL:
        return JsonNull.INSTANCE;
      default:
        throw new JsonParseException(p, "unexpected " + token);
    }
  }
}
