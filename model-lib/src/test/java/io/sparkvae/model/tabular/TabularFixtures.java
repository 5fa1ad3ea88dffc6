package io.sparkvae.model.tabular;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.LikelihoodKind;
import java.util.List;

/** Small schemas for the tabular tests. */
final class TabularFixtures {
  private TabularFixtures() {}

  /**
   * numeric 'delay' (center 1, scale 2), categorical 'origin' {A, B} + unknown with equal counts,
   * binary 'late' at 0.5, count 'legs' at mean 1: every marginal offset is 0 or a constant within
   * the softmax, so log-probabilities can be computed by hand from the decoder output alone.
   */
  static TabularSchema mixed() {
    return new TabularSchema(
        List.of(
            new TabularColumn(
                "delay",
                "delay",
                Derive.NONE,
                ColumnKind.NUMERIC,
                10,
                0,
                1.0,
                2.0,
                List.of(),
                new long[0]),
            new TabularColumn(
                "origin",
                "origin",
                Derive.NONE,
                ColumnKind.CATEGORICAL,
                10,
                0,
                0,
                1,
                List.of("A", "B"),
                new long[] {5, 5, 5}),
            new TabularColumn(
                "late",
                "late",
                Derive.NONE,
                ColumnKind.BINARY,
                10,
                0,
                0.5,
                1,
                List.of(),
                new long[0]),
            new TabularColumn(
                "legs",
                "legs",
                Derive.NONE,
                ColumnKind.COUNT,
                10,
                0,
                1.0,
                1,
                List.of(),
                new long[0])));
  }

  /** A tiny VAE over a schema. */
  static VaeConfig config(TabularSchema schema) {
    return VaeConfig.builder()
        .likelihood(LikelihoodKind.TABULAR)
        .inputDim(schema.packedWidth())
        .tabular(schema)
        .encoderHidden(4)
        .decoderHidden(3)
        .latentDim(2)
        .build();
  }
}
