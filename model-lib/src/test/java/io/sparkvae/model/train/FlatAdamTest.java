package io.sparkvae.model.train;

import static io.sparkvae.model.Allclose.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlatAdamTest {
  /**
   * Adam in float64, written from the paper's formulas (Kingma & Ba, Algorithm 1, with PyTorch's
   * eps placement).
   */
  private static void reference(
      double[] p,
      double[] m,
      double[] v,
      float[] g,
      long t,
      double lr,
      double b1,
      double b2,
      double eps) {
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
  void tensorByTensorFromNativeMemoryGivesTheBitsOfTheFlatStep() {
    // Three "tensors", one longer than a block and none a multiple of a vector width.
    int[] sizes = {9001, 13, 4099};
    int n = sizes[0] + sizes[1] + sizes[2];
    SplittableRandom r = new SplittableRandom(5);
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) {
      p0[i] = (float) r.nextGaussian();
    }
    FlatAdam flat = new FlatAdam(TrainingState.initial(p0));
    FlatAdam byTensor = new FlatAdam(TrainingState.initial(p0));
    FloatBuffer[] paramMemory = new FloatBuffer[sizes.length];
    for (int k = 0; k < sizes.length; k++) {
      paramMemory[k] =
          ByteBuffer.allocateDirect(sizes[k] * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }
    float[] g = new float[n];
    for (long t = 1; t <= 5; t++) {
      for (int i = 0; i < n; i++) {
        // Signed zeros too: -0 must pass through as it is unless asked otherwise.
        g[i] = i % 50 == 0 ? -0f : (float) (r.nextGaussian() * 0.1);
      }
      flat.step(g, t, 1e-2, 0.9, 0.999, 1e-8);
      FlatAdam.StepConstants c = FlatAdam.StepConstants.of(t, 1e-2, 0.9, 0.999, 1e-8);
      for (int k = 0, offset = 0; k < sizes.length; offset += sizes[k], k++) {
        FloatBuffer grad =
            ByteBuffer.allocateDirect(sizes[k] * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer()
                .put(g, offset, sizes[k])
                .flip();
        byTensor.stepTensor(grad, paramMemory[k], offset, sizes[k], c, false);
        assertEquals(0, grad.remaining(), "the whole gradient is read");
        for (int i = 0; i < sizes[k]; i++) {
          assertEquals(
              Float.floatToRawIntBits(byTensor.params()[offset + i]),
              Float.floatToRawIntBits(paramMemory[k].get(i)),
              "parameter memory of tensor " + k + " at " + i);
        }
      }
    }
    TrainingState a = flat.snapshot(5);
    TrainingState b = byTensor.snapshot(5);
    assertArrayEquals(a.params(), b.params());
    assertArrayEquals(a.adamM(), b.adamM());
    assertArrayEquals(a.adamV(), b.adamV());
  }

  @Test
  void asAccumulatedIntoZeroTurnsMinusZeroIntoPlusZeroAndNothingElse() {
    // A first moment of -0 shows the gradient's sign of zero: m = -0*b1 + g*(1-b1) is -0 only for g
    // = -0.
    float[] p0 = {1f, 1f, 1f};
    TrainingState minusZeroMoment =
        new TrainingState(p0, new float[] {-0f, -0f, -0f}, new float[3], 0);
    FloatBuffer memory =
        ByteBuffer.allocateDirect(3 * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    FlatAdam.StepConstants c = FlatAdam.StepConstants.of(1, 1e-2, 0.9, 0.999, 1e-8);
    float[] g = {-0f, 0f, -0.5f};
    FlatAdam raw = new FlatAdam(minusZeroMoment);
    raw.stepTensor(FloatBuffer.wrap(g), memory, 0, 3, c, false);
    FlatAdam accumulated = new FlatAdam(minusZeroMoment);
    accumulated.stepTensor(FloatBuffer.wrap(g), memory, 0, 3, c, true);
    FlatAdam plusZeroGradient = new FlatAdam(minusZeroMoment);
    plusZeroGradient.step(new float[] {0f, 0f, -0.5f}, 1, 1e-2, 0.9, 0.999, 1e-8);
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(raw.snapshot(1).adamM()[0]));
    assertArrayEquals(plusZeroGradient.snapshot(1).adamM(), accumulated.snapshot(1).adamM());
    assertArrayEquals(plusZeroGradient.params(), accumulated.params());
    assertEquals(
        Float.floatToRawIntBits(0f), Float.floatToRawIntBits(accumulated.snapshot(1).adamM()[0]));
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
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> adam.step(new float[2], 1, 1e-3, 0.9, 0.999, 1e-8));
    assertEquals("gradient has 2 values, expected 3", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> adam.step(new float[3], 0, 1e-3, 0.9, 0.999, 1e-8));
    assertThrows(
        IllegalArgumentException.class, () -> adam.load(TrainingState.initial(new float[4])));
  }
}
