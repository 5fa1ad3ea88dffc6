package io.sparkvae.model.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** model.json's reader: Jackson's strict parsing and limits, into an exact Gson tree. */
class StrictJsonTest {
  private static String refused(String text) {
    IOException e = assertThrows(IOException.class, () -> StrictJson.parse(text), text);
    return e.getMessage();
  }

  @Test
  void valuesAreKeptExactly() throws IOException {
    JsonObject o =
        StrictJson.parse(
                "{\"seed\": 9223372036854775807, \"lr\": 1e-3, \"h\": [400, 200],"
                    + " \"s\": \"x\", \"b\": true, \"n\": null}")
            .getAsJsonObject();
    assertEquals(Long.MAX_VALUE, o.get("seed").getAsBigDecimal().longValueExact());
    assertEquals(new BigDecimal("1e-3"), o.get("lr").getAsBigDecimal());
    assertEquals(200, o.getAsJsonArray("h").get(1).getAsInt());
    assertEquals("x", o.get("s").getAsString());
    assertTrue(o.get("b").getAsBoolean());
    assertTrue(o.get("n").isJsonNull());
    assertEquals(7, StrictJson.parse("7").getAsInt());
  }

  @Test
  void whatStrictJsonForbidsIsRefusedWithWhereItIs() {
    assertTrue(refused("{\"a\": 1, \"a\": 2}").startsWith("Duplicate field 'a' at line 1, column"));
    assertTrue(refused("{\"a\": {\"b\": 1, \"b\": 1}}").startsWith("Duplicate field 'b'"));
    assertTrue(refused("{} {}").startsWith("unexpected content after the top-level value"));
    assertTrue(refused("").startsWith("empty document"));
    refused("{\"a\": NaN}");
    refused("{\"a\": 1} // comment");
    refused("{'a': 1}");
    refused("{\"a\": 01}");
    refused("{\"a\": [1,]}");
  }

  @Test
  void limitsKeepAHostileFileSmall() throws IOException {
    StrictJson.parse("[".repeat(32) + "]".repeat(32));
    assertTrue(
        refused("[".repeat(33) + "]".repeat(33))
            .contains("nesting depth (33) exceeds the maximum allowed (32"));
    StrictJson.parse("{\"a\": " + "1".repeat(64) + "}");
    assertTrue(
        refused("{\"a\": " + "1".repeat(65) + "}")
            .contains("Number value length (65) exceeds the maximum"));
    assertTrue(refused("{\"a\": 0." + "1".repeat(70) + "}").contains("exceeds the maximum"));
  }
}
