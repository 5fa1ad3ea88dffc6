package io.sparkvae.model.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.vae.ParamLayout;
import org.junit.jupiter.api.Test;

/** Per-kind log-probabilities against hand-computed values, and masking of missing entries. */
class TabularLikelihoodTest {
  private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  /** Packed rows: delay, origin, late, legs; the second row has every value missing. */
  private static double[] rows(TabularSchema s) {
    float[] packed = new float[2 * s.packedWidth()];
    s.encode(
        new Object[] {Math.expm1(2.4), "B", true, 3L},
        packed,
        0,
        null); // signed-log 2.4 → (2.4-1)/2 = 0.7
    s.encode(new Object[] {null, null, null, Double.NaN}, packed, s.packedWidth(), null);
    double[] out = new double[packed.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = packed[i];
    }
    return out;
  }

  /**
   * Decoder outputs: delay mean 0.2; origin logits 1, 2, 0.5; late logit 0.4; legs log-rate 0.6.
   */
  private static final double[] DECODED = {0.2, 1, 2, 0.5, 0.4, 0.6};

  @Test
  void perKindLogProbabilitiesMatchHandComputedValues() {
    TabularSchema s = TabularFixtures.mixed();
    ParamLayout.Builder b = ParamLayout.builder();
    TabularLikelihood lik = new TabularLikelihood(s, b);
    try (NDManager m = NDManager.newBaseManager()) {
      NDList params = new NDList(m.create(new double[] {0.3}, new Shape(1)));
      NDArray x = m.create(rows(s), new Shape(2, s.packedWidth()));
      double[] dec = new double[12];
      System.arraycopy(DECODED, 0, dec, 0, 6);
      System.arraycopy(DECODED, 0, dec, 6, 6);
      double[] lp = lik.columnLogProb(params, x, m.create(dec, new Shape(2, 6))).toDoubleArray();
      double z = (0.7 - 0.2) / Math.exp(0.3);
      double[] expected = {
        -0.5 * z * z - 0.3 - HALF_LOG_2PI,
        2 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0.5)),
        0.4 - Math.log1p(Math.exp(0.4)),
        3 * 0.6 - Math.exp(0.6) - Math.log(6),
        0,
        0,
        0,
        0
      };
      assertArrayEquals(expected, lp, 1e-6);
    }
  }

  @Test
  void marginalOffsetsAreAddedToDecoderOutputs() {
    TabularColumn late =
        new TabularColumn(
            "late",
            "late",
            Derive.NONE,
            ColumnKind.BINARY,
            10,
            0,
            0.8,
            1,
            java.util.List.of(),
            new long[0]);
    TabularColumn legs =
        new TabularColumn(
            "legs",
            "legs",
            Derive.NONE,
            ColumnKind.COUNT,
            10,
            0,
            2.5,
            1,
            java.util.List.of(),
            new long[0]);
    TabularSchema s = new TabularSchema(java.util.List.of(late, legs));
    TabularLikelihood lik = new TabularLikelihood(s, ParamLayout.builder());
    float[] packed = new float[s.packedWidth()];
    s.encode(new Object[] {0, 4}, packed, 0, null);
    try (NDManager m = NDManager.newBaseManager()) {
      double[] lp =
          lik.columnLogProb(
                  new NDList(),
                  m.create(packed, new Shape(1, 4)),
                  m.create(new float[] {0f, 0f}, new Shape(1, 2)))
              .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
              .toDoubleArray();
      // At a zero decoder output the likelihood is the independent-columns marginal.
      double[] baseline = new double[2];
      IndependentBaseline.columnLogProb(s, packed, 0, baseline);
      assertEquals(Math.log(0.2), lp[0], 1e-6);
      assertEquals(4 * Math.log(2.5) - 2.5 - Math.log(24), lp[1], 1e-5);
      assertArrayEquals(baseline, lp, 1e-5);
    }
  }

  @Test
  void maskedEntriesChangeNeitherLossNorGradient() {
    TabularSchema s = TabularFixtures.mixed();
    TabularLikelihood lik = new TabularLikelihood(s, ParamLayout.builder());
    double[] x = rows(s);
    double[] masked = java.util.Arrays.copyOfRange(x, s.packedWidth(), 2 * s.packedWidth());
    double[][] grads = new double[2][];
    double[] losses = new double[2];
    for (int trial = 0; trial < 2; trial++) {
      try (NDManager m = NDManager.newBaseManager()) {
        // Trial 1 moves every decoder output of the masked row: nothing may change.
        double[] dec = DECODED.clone();
        if (trial == 1) {
          for (int i = 0; i < dec.length; i++) {
            dec[i] += 3.7 * (i + 1);
          }
        }
        NDArray logStd = m.create(new double[] {0.3}, new Shape(1));
        NDArray decoded = m.create(dec, new Shape(1, 6));
        logStd.setRequiresGradient(true);
        decoded.setRequiresGradient(true);
        JniUtils.setGradMode(true);
        NDArray loss;
        try {
          loss =
              lik.logProb(
                      new NDList(logStd), m.create(masked, new Shape(1, s.packedWidth())), decoded)
                  .sum();
        } finally {
          JniUtils.setGradMode(false);
        }
        JniUtils.backward(
            (PtNDArray) loss,
            (PtNDArray) m.ones(loss.getShape(), loss.getDataType()),
            false,
            false);
        losses[trial] = loss.getDouble();
        double[] g = decoded.getGradient().toDoubleArray();
        double[] all = new double[g.length + 1];
        System.arraycopy(g, 0, all, 0, g.length);
        all[g.length] = logStd.getGradient().toDoubleArray()[0];
        grads[trial] = all;
      }
    }
    assertEquals(0.0, losses[0], 0.0);
    assertEquals(0.0, losses[1], 0.0);
    assertArrayEquals(new double[7], grads[0], 0.0);
    assertArrayEquals(new double[7], grads[1], 0.0);
  }
}
