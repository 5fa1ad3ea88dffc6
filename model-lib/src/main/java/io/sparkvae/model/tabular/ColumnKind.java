package io.sparkvae.model.tabular;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The kind of a tabular column, which fixes both its packed input form and its likelihood. Widths
 * are in floats of the packed row ({@link TabularSchema}) and in decoder outputs; {@code v} is a
 * categorical column's vocabulary size including the "unknown" entry.
 *
 * <table>
 *   <caption>packed input and likelihood per kind</caption>
 *   <tr><th>kind</th><th>packed input</th><th>decoder outputs</th><th>likelihood</th></tr>
 *   <tr><td>numeric</td><td>standardised signed-log value, observed flag (2)</td><td>1 (mean)</td>
 *       <td>Gaussian, learned per-column std</td></tr>
 *   <tr><td>categorical</td><td>one-hot over v (all zero when missing), observed flag (v + 1)</td>
 *       <td>v (logits)</td><td>categorical (softmax)</td></tr>
 *   <tr><td>binary</td><td>value in {0, 1}, observed flag (2)</td><td>1 (logit)</td><td>Bernoulli</td></tr>
 *   <tr><td>count</td><td>log1p(k), observed flag (2)</td><td>1 (log-rate)</td><td>Poisson</td></tr>
 * </table>
 */
public enum ColumnKind {
  /** Real values: Gaussian on the standardised signed-log value. */
  NUMERIC,
  /** Values from a vocabulary (strings, low-cardinality integers): softmax. */
  CATEGORICAL,
  /** 0/1 or boolean: Bernoulli. */
  BINARY,
  /** Non-negative integers: Poisson. */
  COUNT;

  /** The lower-case name used in schemas and in the {@code columnKinds} param. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind of a name.
   *
   * @param what what the name belongs to, for the message ("columnKinds entry 'delay'")
   * @throws IllegalArgumentException naming {@code what} and the accepted names
   */
  public static ColumnKind of(String name, String what) {
    for (ColumnKind k : values()) {
      if (k.configName().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        what
            + ": unknown column kind '"
            + name
            + "'; choose one of "
            + Arrays.stream(values())
                .map(ColumnKind::configName)
                .collect(Collectors.joining(", ")));
  }
}
