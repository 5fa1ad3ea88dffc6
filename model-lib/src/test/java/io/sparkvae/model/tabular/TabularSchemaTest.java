package io.sparkvae.model.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.format.ModelFormat;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.tabular.TabularFitter.Source;
import io.sparkvae.model.tabular.TabularFitter.SourceType;
import io.sparkvae.model.vae.LikelihoodKind;
import io.sparkvae.model.vae.ParamLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packing, unseen categories, bad values, kind inference and the schema's round trip. */
class TabularSchemaTest {
  @Test
  void packsEveryKindWithObservedFlags() {
    TabularSchema s = TabularFixtures.mixed();
    assertEquals(2 + 4 + 2 + 2, s.packedWidth());
    assertEquals(1 + 3 + 1 + 1, s.decoderOutputs());
    float[] row = new float[s.packedWidth()];
    s.encode(new Object[] {Math.expm1(3.0), "A", false, 4}, row, 0, null);
    assertArrayEquals(
        new float[] {1f, 1f, 1f, 0f, 0f, 1f, 0f, 1f, (float) Math.log1p(4), 1f}, row, 1e-6f);
    s.encode(new Object[] {Double.NaN, null, null, null}, row, 0, null);
    assertArrayEquals(new float[10], row);
  }

  @Test
  void unseenCategoriesGoToUnknownAndAreCounted() {
    TabularSchema s = TabularFixtures.mixed();
    float[] row = new float[s.packedWidth()];
    long[] unknown = new long[4];
    s.encode(new Object[] {0.0, "never seen", true, 0}, row, 0, unknown);
    assertArrayEquals(new float[] {0f, 0f, 1f, 1f}, java.util.Arrays.copyOfRange(row, 2, 6));
    assertArrayEquals(new long[] {0, 1, 0, 0}, unknown);
  }

  @Test
  void badValuesNameTheColumn() {
    TabularSchema s = TabularFixtures.mixed();
    float[] row = new float[s.packedWidth()];
    TabularValueException inf =
        assertThrows(
            TabularValueException.class,
            () -> s.encode(new Object[] {Double.POSITIVE_INFINITY, "A", true, 1}, row, 0, null));
    assertEquals("delay", inf.column());
    assertTrue(
        inf.getMessage()
            .startsWith("column 'delay' has the value Infinity: infinities are bad rows"),
        inf.getMessage());
    TabularValueException type =
        assertThrows(
            TabularValueException.class,
            () -> s.encode(new Object[] {"late", "A", true, 1}, row, 0, null));
    assertEquals(
        "column 'delay' has a value of type String (late) where numeric needs a number",
        type.getMessage());
    TabularValueException neg =
        assertThrows(
            TabularValueException.class,
            () -> s.encode(new Object[] {1.0, "A", true, -2}, row, 0, null));
    assertTrue(
        neg.getMessage()
            .startsWith("column 'legs' has the value -2: a count column takes non-negative"),
        neg.getMessage());
    TabularValueException bin =
        assertThrows(
            TabularValueException.class,
            () -> s.encode(new Object[] {1.0, "A", 2, 1}, row, 0, null));
    assertEquals("late", bin.column());
    TabularValueException cat =
        assertThrows(
            TabularValueException.class,
            () -> s.encode(new Object[] {1.0, Double.NEGATIVE_INFINITY, true, 1}, row, 0, null));
    assertEquals("origin", cat.column());
  }

  @Test
  void infersKindsInOnePassWithMergedPartitions() {
    List<Source> sources =
        List.of(
            new Source("s", SourceType.STRING),
            new Source("flag", SourceType.INTEGER),
            new Source("level", SourceType.INTEGER),
            new Source("n", SourceType.INTEGER),
            new Source("x", SourceType.INTEGER),
            new Source("r", SourceType.FLOATING),
            new Source("t", SourceType.TIMESTAMP));
    TabularFitter a = new TabularFitter(sources, Map.of(), true, 5, 1000);
    TabularFitter b = new TabularFitter(sources, Map.of(), true, 5, 1000);
    for (int i = 0; i < 100; i++) {
      Object[] row = {
        i % 3 == 0 ? "u" : "v",
        i % 2,
        i % 4,
        i % 10,
        i - 50,
        i * 0.5,
        LocalDateTime.of(2001, 1, 1 + i % 7, i % 24, 0)
      };
      (i < 40 ? a : b).add(row);
    }
    a.add(new Object[] {null, null, null, null, null, Double.NaN, null});
    TabularSchema s = a.merge(b).finish();
    assertEquals(
        List.of(
            "s:categorical",
            "flag:binary",
            "level:categorical",
            "n:count",
            "x:numeric",
            "r:numeric",
            "t_hour:categorical",
            "t_dow:categorical"),
        s.columns().stream().map(Object::toString).toList());
    TabularColumn str = s.columns().get(0);
    assertEquals(List.of("v", "u"), str.vocabulary());
    assertArrayEquals(new long[] {66, 34, 0}, str.counts());
    assertEquals(1, str.missing());
    assertEquals(0.5, s.columns().get(1).center(), 1e-12);
    assertEquals(4.5, s.columns().get(3).center(), 1e-12);
    assertEquals(24, s.columns().get(6).vocabulary().size());
    assertEquals(List.of("s", "flag", "level", "n", "x", "r", "t"), s.sources());
  }

  @Test
  void overDispersedNonNegativeIntegersAreNumericNotCounts() {
    // Index of dispersion (variance / mean) of each column over the 1000 rows, computed by hand:
    // visits 1.20 (Poisson-like); below 9.64 and above 10.14 (halves near 0 and near 21 or 22,
    // either
    // side of the threshold 10); miles 247 (halves near 500 and 1500 miles, like flights'
    // distance);
    // forced: the miles values with a count override, which wins.
    List<Source> sources =
        List.of(
            new Source("visits", SourceType.INTEGER),
            new Source("below", SourceType.INTEGER),
            new Source("above", SourceType.INTEGER),
            new Source("miles", SourceType.INTEGER),
            new Source("forced", SourceType.INTEGER));
    TabularFitter f = new TabularFitter(sources, Map.of("forced", ColumnKind.COUNT), false, 5, 10);
    for (int i = 0; i < 1000; i++) {
      boolean low = i % 2 == 0;
      long visits = i < 994 ? i % 6 : 6 + i % 3;
      long miles = low ? 500 + i % 7 : 1500 - i % 7;
      f.add(
          new Object[] {visits, (low ? 0L : 21L) + i % 3, (low ? 0L : 22L) + i % 3, miles, miles});
    }
    TabularSchema s = f.finish();
    assertEquals(
        List.of("visits:count", "below:count", "above:numeric", "miles:numeric", "forced:count"),
        s.columns().stream().map(Object::toString).toList());
  }

  @Test
  void overridesAreCheckedAgainstTypesAndValues() {
    List<Source> sources =
        List.of(new Source("s", SourceType.STRING), new Source("n", SourceType.INTEGER));
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TabularFitter(sources, Map.of("s", ColumnKind.NUMERIC), false, 5, 10));
    assertEquals("columnKinds: column 's' of type string cannot be numeric", type.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TabularFitter(sources, Map.of("nope", ColumnKind.NUMERIC), false, 5, 10));
    assertTrue(
        missing.getMessage().startsWith("columnKinds names 'nope', which is not an input column"));
    IllegalArgumentException ts =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TabularFitter(
                    List.of(new Source("date", SourceType.TIMESTAMP)), Map.of(), false, 5, 10));
    assertTrue(
        ts.getMessage().startsWith("column 'date' is a timestamp: set timestampFeatures=true"));
    TabularFitter f = new TabularFitter(sources, Map.of("n", ColumnKind.COUNT), false, 5, 10);
    f.add(new Object[] {"a", -1L});
    assertTrue(
        assertThrows(IllegalArgumentException.class, f::finish)
            .getMessage()
            .contains("column 'n' cannot be count"));
    TabularFitter g = new TabularFitter(sources, Map.of("n", ColumnKind.NUMERIC), false, 5, 10);
    g.add(new Object[] {"a", 1L}).add(new Object[] {"b", Double.POSITIVE_INFINITY});
    assertEquals(
        Map.of(
            "n",
            "1 bad values, e.g. column 'n' has the value Infinity: infinities are bad rows (make it"
                + " null to mark the value missing, or filter the row out)"),
        g.badValues());
  }

  @Test
  void vocabularyKeepsTheMostFrequentAndCountsTheRestAsUnknown() {
    TabularFitter f =
        new TabularFitter(List.of(new Source("c", SourceType.STRING)), Map.of(), false, 5, 2);
    for (String v : new String[] {"a", "b", "b", "c", "c", "c", "d"}) {
      f.add(new Object[] {v});
    }
    TabularColumn c = f.finish().columns().get(0);
    assertEquals(List.of("c", "b"), c.vocabulary());
    assertArrayEquals(new long[] {3, 2, 2}, c.counts());
  }

  @Test
  void schemaRoundTripsThroughTheModelFormat(@TempDir Path dir) throws Exception {
    TabularSchema s = TabularFixtures.mixed();
    VaeConfig config = TabularFixtures.config(s);
    float[] params = new float[ParamLayout.of(config).totalSize()];
    for (int i = 0; i < params.length; i++) {
      params[i] = i * 0.001f;
    }
    Path model = dir.resolve("m");
    ModelFormat.save(new TrainedVae(config, params, Map.of()), model, false);
    String json = Files.readString(model.resolve(ModelFormat.MODEL_JSON));
    assertTrue(json.contains("\"schemaVersion\": 1"), json);
    assertTrue(json.contains("\"vocabulary\""), json);
    TrainedVae back = ModelFormat.load(model);
    assertEquals(config, back.config());
    assertEquals(s, back.config().tabular());
    assertArrayEquals(params, back.params());
  }

  @Test
  void unknownSchemaVersionsAreRefused() {
    JsonObject json = TabularFixtures.mixed().toJson();
    json.addProperty("schemaVersion", 2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TabularSchema.fromJson(json));
    assertEquals(
        "tabular.schemaVersion 2 is not supported (this SparkVAE reads version 1; upgrade SparkVAE)",
        e.getMessage());
  }

  @Test
  void tabularLikelihoodNeedsASchema() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ParamLayout.of(VaeConfig.builder().likelihood(LikelihoodKind.TABULAR).build()));
    assertTrue(
        e.getMessage().startsWith("likelihood=tabular needs a fitted tabular schema"),
        e.getMessage());
  }
}
