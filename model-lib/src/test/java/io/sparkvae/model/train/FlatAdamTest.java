package io.sparkvae.model.train;

import static io.sparkvae.model.Allclose.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlatAdamTest {
  /** Adam in float64, written from the paper's formulas (Kingma & Ba, Algorithm 1, with PyTorch's eps placement). */
  private static void reference(double[] p, double[] m, double[] v, float[] g, long t, double lr, double b1,
      double b2, double eps) {
    for (int i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      double mHat = m[i] / (1 - Math.pow(b1, t));
      double vHat = v[i] / (1 - Math.pow(b2, t));
      p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
    }
  }

  @Test
  void followsTheFloat64FormulasOverManySteps() {
    int n = 1037; // not a multiple of any vector width: the loop's tail runs too
    SplittableRandom r = new SplittableRandom(11);
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) {
      p0[i] = (float) r.nextGaussian();
    }
    FlatAdam adam = new FlatAdam(TrainingState.initial(p0));
    double[] p = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = p0[i];
    }
    float[] g = new float[n];
    for (long t = 1; t <= 200; t++) {
      for (int i = 0; i < n; i++) {
        // Gradients of a quadratic bowl plus noise, so that moments change sign and size.
        g[i] = (float) (adam.params()[i] * 0.5 + r.nextGaussian() * 0.1);
      }
      adam.step(g, t, 1e-2, 0.9, 0.999, 1e-8);
      reference(p, m, v, g, t, 1e-2, 0.9, 0.999, 1e-8);
    }
    TrainingState s = adam.snapshot(200);
    assertEquals(200, s.step());
    for (int i = 0; i < n; i++) {
      // float32 rounding of a dozen operations per step over 200 steps, each step at most lr.
      assertClose(p[i], s.params()[i], 1e-4, 1e-5, "parameter " + i);
      assertClose(v[i], s.adamV()[i], 1e-4, 1e-9, "second moment " + i);
    }
    assertTrue(Math.abs(s.params()[0] - p0[0]) > 1e-3, "the parameters must have moved");
  }

  @Test
  void snapshotIsACopyAndLoadReplaces() {
    FlatAdam adam = new FlatAdam(TrainingState.initial(new float[] {1f, 2f}));
    TrainingState before = adam.snapshot(0);
    adam.step(new float[] {1f, -1f}, 1, 0.1, 0.9, 0.999, 1e-8);
    assertEquals(1f, before.params()[0], "a snapshot must not see later steps");
    // The first step moves each parameter by lr against the gradient's sign.
    assertClose(0.9, adam.params()[0], 1e-6, 0, "first parameter");
    assertClose(2.1, adam.params()[1], 1e-6, 0, "second parameter");
    adam.load(before);
    assertEquals(1f, adam.params()[0]);
    assertEquals(0f, adam.snapshot(0).adamM()[0]);
  }

  @Test
  void refusesMismatchedSizesAndStepZero() {
    FlatAdam adam = new FlatAdam(TrainingState.initial(new float[3]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> adam.step(new float[2], 1, 1e-3, 0.9, 0.999, 1e-8));
    assertEquals("gradient has 2 values, expected 3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> adam.step(new float[3], 0, 1e-3, 0.9, 0.999, 1e-8));
    assertThrows(IllegalArgumentException.class, () -> adam.load(TrainingState.initial(new float[4])));
  }
}
