package io.sparkvae.model.format;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.ParamLayout;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable trained VAE: its configuration, its parameters flattened in {@link ParamLayout}
 * order, and free-form metadata (epochs trained, test negative ELBO, ...). This is what {@link
 * ModelFormat} saves and loads; it holds plain Java data only, so it can cross Spark serialization
 * and be turned into DJL objects lazily where it is used.
 */
public final class TrainedVae implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final VaeConfig config;
  private final float[] params;
  private final Map<String, String> metadata;

  /**
   * A model from a configuration, its parameters and metadata; the array and the map are copied.
   *
   * @param config the configuration the parameters belong to
   * @param params {@code ParamLayout.of(config).totalSize()} floats in layout order
   * @param metadata free-form string pairs, kept in iteration order
   * @throws IllegalArgumentException when the parameter count does not match the configuration
   */
  public TrainedVae(VaeConfig config, float[] params, Map<String, String> metadata) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(metadata, "metadata");
    int expected = ParamLayout.of(config).totalSize();
    if (params.length != expected) {
      throw new IllegalArgumentException(
          "the configuration needs "
              + expected
              + " parameters but "
              + params.length
              + " were given");
    }
    this.params = params.clone();
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      copy.put(
          Objects.requireNonNull(e.getKey(), "metadata key"),
          Objects.requireNonNull(e.getValue(), () -> "metadata value of " + e.getKey()));
    }
    this.metadata = Collections.unmodifiableMap(copy);
  }

  /** The configuration. */
  public VaeConfig config() {
    return config;
  }

  /** The parameter layout of {@link #config()}. */
  public ParamLayout layout() {
    return ParamLayout.of(config);
  }

  /** A copy of the flat parameters, in {@link ParamLayout} order. */
  public float[] params() {
    return params.clone();
  }

  /** The parameters without a copy, for this package's writers, which only read them. */
  float[] paramsNoCopy() {
    return params;
  }

  /** The number of scalar parameters. */
  public int paramCount() {
    return params.length;
  }

  /** The metadata, unmodifiable, in the order it was given. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Checks that every parameter is finite. A diverged model must never reach disk: once saved it
   * would be loaded and served as if it were a model.
   *
   * @return this model
   * @throws IllegalArgumentException giving how many values are NaN or infinite and the first
   *     tensor holding one
   */
  public TrainedVae requireFinite() {
    String problem = nonFiniteReport(params, layout());
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return this;
  }

  /** Null when every value is finite, else a sentence naming the count and the first tensor. */
  static String nonFiniteReport(float[] params, ParamLayout layout) {
    int count = 0;
    int first = -1;
    for (int i = 0; i < params.length; i++) {
      if (!Float.isFinite(params[i])) {
        if (count == 0) {
          first = i;
        }
        count++;
      }
    }
    if (count == 0) {
      return null;
    }
    String where = "index " + first;
    for (ParamLayout.Entry e : layout.entries()) {
      if (first >= e.offset() && first < e.offset() + e.size()) {
        where = "tensor " + e.name() + " (element " + (first - e.offset()) + ")";
        break;
      }
    }
    return count
        + " of "
        + params.length
        + " parameters are not finite (NaN or infinite); the first is "
        + params[first]
        + " in "
        + where;
  }

  /** Equal configuration, bitwise-equal parameters and equal metadata. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TrainedVae other
        && config.equals(other.config)
        && Arrays.equals(params, other.params)
        && metadata.equals(other.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(config, Arrays.hashCode(params), metadata);
  }

  @Override
  public String toString() {
    return "TrainedVae{"
        + params.length
        + " parameters, "
        + config
        + ", metadata="
        + metadata
        + "}";
  }
}
