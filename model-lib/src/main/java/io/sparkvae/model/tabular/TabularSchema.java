package io.sparkvae.model.tabular;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ordered columns of a tabular VAE with their fitted statistics and vocabularies, and the map
 * from one record's raw values to ONE packed float row, so that the float[] pipeline (shards,
 * minibatches, {@code inputDim}) carries tabular rows unchanged: {@link #packedWidth()} is the
 * VAE's {@code inputDim}, {@link #decoderOutputs()} its decoder's width. Each column's slice is
 * laid out as {@link ColumnKind} says, columns in schema order.
 *
 * <p>Stored in {@code model.json} under {@code "tabular"} as versioned JSON ({@link #toJson},
 * {@link #fromJson}; version {@value #VERSION}), read by model-lib without Spark.
 */
public final class TabularSchema implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The version of the JSON form this code writes and reads. */
  public static final int VERSION = 1;

  private final List<TabularColumn> columns;
  private final List<String> sources;
  private final int[] sourceIndex;
  private final int[] offsets;
  private final int packedWidth;
  private final int decoderOutputs;

  /**
   * A schema of these columns, in this order.
   *
   * @throws IllegalArgumentException for no columns or two with one name
   */
  public TabularSchema(List<TabularColumn> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a tabular schema needs at least one column");
    }
    this.columns = List.copyOf(columns);
    this.sources = new ArrayList<>();
    this.sourceIndex = new int[columns.size()];
    this.offsets = new int[columns.size() + 1];
    int dec = 0;
    List<String> names = new ArrayList<>();
    for (int j = 0; j < columns.size(); j++) {
      TabularColumn c = columns.get(j);
      if (names.contains(c.name())) {
        throw new IllegalArgumentException("two tabular columns are named '" + c.name() + "'");
      }
      names.add(c.name());
      if (!sources.contains(c.source())) {
        sources.add(c.source());
      }
      sourceIndex[j] = sources.indexOf(c.source());
      offsets[j + 1] = offsets[j] + c.packedWidth();
      dec += c.decoderOutputs();
    }
    this.packedWidth = offsets[columns.size()];
    this.decoderOutputs = dec;
  }

  /** The columns, in packed order. */
  public List<TabularColumn> columns() {
    return columns;
  }

  /** The input columns read, in first-use order; {@link #encode} takes values in this order. */
  public List<String> sources() {
    return List.copyOf(sources);
  }

  /** Floats per packed row: the VAE's inputDim. */
  public int packedWidth() {
    return packedWidth;
  }

  /** Decoder outputs the tabular likelihood reads. */
  public int decoderOutputs() {
    return decoderOutputs;
  }

  /** Where column {@code j}'s slice starts in the packed row. */
  public int offset(int j) {
    return offsets[j];
  }

  /**
   * Packs one record into {@code dst[offset .. offset + packedWidth())}.
   *
   * @param sourceValues the raw values of {@link #sources()}, in that order (Spark's external
   *     types: String, Number, Boolean, timestamps; null or NaN for missing)
   * @param unknown when not null, {@code unknown[j]} is incremented for each categorical value of
   *     column {@code j} that was not in its vocabulary
   * @throws TabularValueException naming the column of a value no likelihood can use
   */
  public void encode(Object[] sourceValues, float[] dst, int offset, long[] unknown) {
    if (sourceValues.length != sources.size()) {
      throw new IllegalArgumentException(
          "expected "
              + sources.size()
              + " values ("
              + String.join(", ", sources)
              + "), got "
              + sourceValues.length);
    }
    for (int j = 0; j < columns.size(); j++) {
      TabularColumn c = columns.get(j);
      Object v = sourceValues[sourceIndex[j]];
      if (c.derive() != Derive.NONE) {
        v = c.derive().apply(v, c.source());
      }
      if (c.encode(v, dst, offset + offsets[j]) && unknown != null) {
        unknown[j]++;
      }
    }
  }

  /** The versioned JSON form. */
  public JsonObject toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("schemaVersion", VERSION);
    root.addProperty("numericTransform", "signed-log1p, then (t - center) / scale");
    JsonArray cols = new JsonArray();
    for (TabularColumn c : columns) {
      JsonObject o = new JsonObject();
      o.addProperty("name", c.name());
      o.addProperty("source", c.source());
      o.addProperty("derive", c.derive().configName());
      o.addProperty("kind", c.kind().configName());
      o.addProperty("observed", c.observed());
      o.addProperty("missing", c.missing());
      o.addProperty("center", c.center());
      o.addProperty("scale", c.scale());
      if (c.kind() == ColumnKind.CATEGORICAL) {
        JsonArray vocab = new JsonArray();
        c.vocabulary().forEach(vocab::add);
        o.add("vocabulary", vocab);
        JsonArray counts = new JsonArray();
        for (long n : c.counts()) {
          counts.add(n);
        }
        o.add("counts", counts);
      }
      cols.add(o);
    }
    root.add("columns", cols);
    return root;
  }

  /**
   * Reads the JSON form through a version switch.
   *
   * @throws IllegalArgumentException for an unknown version or a malformed entry, naming the field
   */
  public static TabularSchema fromJson(JsonObject root) {
    int version = integer(root, "schemaVersion", "tabular").intValue();
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "tabular.schemaVersion "
              + version
              + " is not supported (this SparkVAE "
              + "reads version "
              + VERSION
              + (version > VERSION ? "; upgrade SparkVAE)" : ")"));
    }
    JsonElement colsElement = root.get("columns");
    if (colsElement == null || !colsElement.isJsonArray()) {
      throw new IllegalArgumentException("tabular.columns must be an array");
    }
    List<TabularColumn> cols = new ArrayList<>();
    for (JsonElement e : colsElement.getAsJsonArray()) {
      String what = "tabular.columns[" + cols.size() + "]";
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException(what + " must be an object");
      }
      cols.add(column(e.getAsJsonObject(), what));
    }
    return new TabularSchema(cols);
  }

  private static TabularColumn column(JsonObject o, String what) {
    ColumnKind kind = ColumnKind.of(string(o, "kind", what), what + ".kind");
    List<String> vocab = new ArrayList<>();
    long[] counts = new long[0];
    if (kind == ColumnKind.CATEGORICAL) {
      for (JsonElement v : array(o, "vocabulary", what)) {
        vocab.add(v.getAsString());
      }
      JsonArray c = array(o, "counts", what);
      counts = new long[c.size()];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = c.get(i).getAsLong();
      }
    }
    return new TabularColumn(
        string(o, "name", what),
        string(o, "source", what),
        Derive.of(string(o, "derive", what)),
        kind,
        integer(o, "observed", what).longValue(),
        integer(o, "missing", what).longValue(),
        number(o, "center", what),
        number(o, "scale", what),
        vocab,
        counts);
  }

  private static String string(JsonObject o, String field, String what) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(what + "." + field + " must be a string");
    }
    return e.getAsString();
  }

  private static double number(JsonObject o, String field, String what) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(what + "." + field + " must be a number");
    }
    return e.getAsDouble();
  }

  private static Number integer(JsonObject o, String field, String what) {
    JsonElement e = o.get(field);
    if (e == null || !(e instanceof JsonPrimitive p) || !p.isNumber()) {
      throw new IllegalArgumentException(what + "." + field + " must be an integer");
    }
    return p.getAsBigDecimal().longValueExact();
  }

  private static JsonArray array(JsonObject o, String field, String what) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + "." + field + " must be an array");
    }
    return e.getAsJsonArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TabularSchema s && columns.equals(s.columns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(columns);
  }

  @Override
  public String toString() {
    return "TabularSchema" + columns;
  }
}
