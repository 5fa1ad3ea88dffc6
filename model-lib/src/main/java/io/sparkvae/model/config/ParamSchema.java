package io.sparkvae.model.config;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The declarations of one config class ({@link VaeConfig}, the distributed settings, a job's
 * options...) and what every such class does with them: look one up by name, give a builder every
 * default, copy a config's values into a builder, list the values by name. Each config class holds
 * one schema over its {@code PARAMS} instead of repeating this skeleton.
 *
 * @param <C> the config type the values are read from
 * @param <B> the builder type they are written to
 */
public final class ParamSchema<C, B> {
  // Gson's own writer of JSON trees; used through the adapter, it keeps the JsonWriter's settings
  // (Gson.toJson would switch on HTML escaping).
  private static final TypeAdapter<JsonElement> JSON_ELEMENTS =
      new Gson().getAdapter(JsonElement.class);

  private final String kind;
  private final List<ParamSpec<C, B, ?>> specs;
  private final Map<String, ParamSpec<C, B, ?>> byName = new LinkedHashMap<>();

  /**
   * @param kind what the parameters are, for messages ("distributed training parameter")
   * @param specs the declarations, in their stable order (that of {@code --help} and of JSON)
   * @throws IllegalStateException when two declarations share a name
   */
  public ParamSchema(String kind, List<ParamSpec<C, B, ?>> specs) {
    this.kind = kind;
    this.specs = List.copyOf(specs);
    for (ParamSpec<C, B, ?> p : this.specs) {
      if (byName.putIfAbsent(p.name(), p) != null) {
        throw new IllegalStateException(kind + " " + p.name() + " is declared twice");
      }
    }
  }

  /** Every declaration, in order. */
  public List<ParamSpec<C, B, ?>> specs() {
    return specs;
  }

  /** The declared names, in order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(byName.keySet());
  }

  /**
   * The declaration called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown parameter
   */
  public ParamSpec<C, B, ?> param(String name) {
    ParamSpec<C, B, ?> p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("unknown " + kind + ": " + name);
    }
    return p;
  }

  /**
   * The declaration spelled {@code name} in camelCase ({@code latentDim}) or kebab-case ({@code
   * latent-dim}), the two spellings every entry point accepts; null when there is none.
   */
  public ParamSpec<C, B, ?> find(String name) {
    for (ParamSpec<C, B, ?> p : specs) {
      if (p.name().equals(name) || kebab(p.name()).equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** {@code averagingSteps} → {@code averaging-steps}: the command-line spelling. */
  public static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        sb.append('-').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  /** Sets every default in {@code builder}. */
  public void setDefaults(B builder) {
    for (ParamSpec<C, B, ?> p : specs) {
      setDefault(p, builder);
    }
  }

  private static <C, B, T> void setDefault(ParamSpec<C, B, T> p, B builder) {
    p.set(builder, p.defaultValue());
  }

  /** Writes every value of {@code from} into {@code to}, validating each. */
  public void copy(C from, B to) {
    for (ParamSpec<C, B, ?> p : specs) {
      copy(p, from, to);
    }
  }

  private static <C, B, T> void copy(ParamSpec<C, B, T> p, C from, B to) {
    p.set(to, p.get(from));
  }

  /** Every value of {@code config} by name, in order (arrays are copies). */
  public Map<String, Object> toMap(C config) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (ParamSpec<C, B, ?> p : specs) {
      m.put(p.name(), p.get(config));
    }
    return m;
  }

  /**
   * Writes every value of {@code values} (by name, of any width or as text) into {@code builder}.
   *
   * @param allowMissing whether names may be missing from {@code values} (they keep the builder's
   *     value), else a missing one is an error
   * @throws IllegalArgumentException naming an unknown or missing parameter or an invalid value
   */
  public void setAll(B builder, Map<String, ?> values, boolean allowMissing) {
    Set<String> unknown = new HashSet<>(values.keySet());
    unknown.removeAll(byName.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown " + kind + ": " + String.join(", ", new java.util.TreeSet<>(unknown)));
    }
    for (ParamSpec<C, B, ?> p : specs) {
      if (values.containsKey(p.name())) {
        p.setUntyped(builder, values.get(p.name()));
      } else if (!allowMissing) {
        throw new IllegalArgumentException("missing " + kind + ": " + p.name());
      }
    }
  }

  /**
   * Writes every value of {@code config} as one JSON object, each in its parameter's JSON form, in
   * order (what model.json's {@code config} and the safetensors export hold).
   */
  public void writeJson(JsonWriter w, C config) throws IOException {
    writeJson(w, config, specs);
  }

  /** {@link #writeJson(JsonWriter, Object)} for some of the declarations only, in their order. */
  public void writeJson(JsonWriter w, C config, List<ParamSpec<C, B, ?>> some) throws IOException {
    w.beginObject();
    for (ParamSpec<C, B, ?> p : some) {
      w.name(p.name());
      JSON_ELEMENTS.write(w, json(p, config));
    }
    w.endObject();
  }

  private static <C, B, T> JsonElement json(ParamSpec<C, B, T> p, C config) {
    return p.toJson(p.get(config));
  }

  /** {@code Title{name=value, ...}} with each value in its text form. */
  public String describe(String title, C config) {
    StringBuilder sb = new StringBuilder(title).append('{');
    String sep = "";
    for (ParamSpec<C, B, ?> p : specs) {
      sb.append(sep).append(p.name()).append('=').append(text(p, config));
      sep = ", ";
    }
    return sb.append('}').toString();
  }

  private static <C, B, T> String text(ParamSpec<C, B, T> p, C config) {
    return p.format(p.get(config));
  }

  /** Whether two configs hold the same values (arrays compared element by element). */
  public boolean sameValues(C a, C b) {
    for (ParamSpec<C, B, ?> p : specs) {
      Object x = p.get(a);
      Object y = p.get(b);
      if (!(x instanceof int[] xa ? java.util.Arrays.equals(xa, (int[]) y) : x.equals(y))) {
        return false;
      }
    }
    return true;
  }

  /** A hash of the values, consistent with {@link #sameValues}. */
  public int hash(C config) {
    int h = 1;
    for (ParamSpec<C, B, ?> p : specs) {
      Object x = p.get(config);
      h = 31 * h + (x instanceof int[] xa ? java.util.Arrays.hashCode(xa) : x.hashCode());
    }
    return h;
  }
}
