package io.sparkvae.model.train;

import java.nio.FloatBuffer;

/**
 * Adam over the flat parameter layout, in one pass over Java arrays: what {@link LocalTrainer} runs
 * on CPU instead of PyTorch's element-wise tensor operations.
 *
 * <p>Why: the update is memory-bound. Done as tensor operations it walks the 688,884 parameters of
 * the MNIST network about thirteen times per step, through some eighty JNI calls, and measured
 * 1.2-2.9 ms of a ~13 ms step; one fused loop that the JIT vectorizes, with the gradient copied in
 * and the parameters copied out, measured 0.27-0.30 ms on the same machine. {@link LocalTrainer}
 * runs it tensor by tensor and block by block ({@link #stepTensor}), so that the copies touch each
 * value while it is in cache rather than in passes of their own (docs/BENCHMARKS.md, per-step fixed
 * cost).
 *
 * <p>The arithmetic is {@code torch.optim.Adam}'s (no weight decay) in float32, operation by
 * operation in the same order, each result rounded to float as PyTorch's CPU kernels round it:
 * {@code m = m*b1 + g*(1-b1)}, {@code v = v*b2 + (g*g)*(1-b2)}, {@code p = p - (m /
 * (sqrt(v)/sqrt(1-b2^t) + eps)) * (lr/(1-b1^t))}, with the scalars rounded to float. The moments
 * come out bit for bit as PyTorch's; the parameters can differ in the last bit, because PyTorch's
 * vectorized float sqrt is not correctly rounded on AVX-512 and Java's is (so this update also
 * gives the same bits on every x86 CPU, which PyTorch's does not).
 */
public final class FlatAdam {
  private final float[] params;
  private final float[] m;
  private final float[] v;

  /** Starts from a state's parameters and moments (copied). */
  public FlatAdam(TrainingState state) {
    this.params = state.params().clone();
    this.m = state.adamM().clone();
    this.v = state.adamV().clone();
    this.gradient = new float[params.length];
  }

  /** Replaces parameters and moments with a state's (copied). */
  public void load(TrainingState state) {
    copy(state.params(), params, "parameters");
    copy(state.adamM(), m, "first moments");
    copy(state.adamV(), v, "second moments");
  }

  private static void copy(float[] src, float[] dst, String what) {
    if (src.length != dst.length) {
      throw new IllegalArgumentException(
          what + " have " + src.length + " values, expected " + dst.length);
    }
    System.arraycopy(src, 0, dst, 0, dst.length);
  }

  /**
   * One Adam step with gradient {@code grad} (flat layout).
   *
   * @param t the step counter after this step (1 for the first), for the bias corrections
   */
  public void step(
      float[] grad, long t, double learningRate, double beta1, double beta2, double eps) {
    if (grad.length != params.length) {
      throw new IllegalArgumentException(
          "gradient has " + grad.length + " values, expected " + params.length);
    }
    StepConstants c = StepConstants.of(t, learningRate, beta1, beta2, eps);
    update(
        params,
        m,
        v,
        grad,
        0,
        params.length,
        RAW,
        c.b1,
        c.oneMinusB1,
        c.b2,
        c.oneMinusB2,
        c.sqrtBc2,
        c.eps,
        c.stepSize);
  }

  /**
   * The float32 constants of step {@code t}: what {@link #step} derives from the settings, computed
   * once per step when the update runs tensor by tensor ({@link #stepTensor}).
   */
  public record StepConstants(
      float b1,
      float oneMinusB1,
      float b2,
      float oneMinusB2,
      float sqrtBc2,
      float eps,
      float stepSize) {
    /**
     * @param t the step counter after this step (1 for the first), for the bias corrections
     */
    public static StepConstants of(
        long t, double learningRate, double beta1, double beta2, double eps) {
      if (t < 1) {
        throw new IllegalArgumentException("step counter must be >= 1, got " + t);
      }
      return new StepConstants(
          (float) beta1,
          (float) (1 - beta1),
          (float) beta2,
          (float) (1 - beta2),
          (float) Math.sqrt(1 - Math.pow(beta2, t)),
          (float) eps,
          (float) (learningRate / (1 - Math.pow(beta1, t))));
    }
  }

  /** Added to each gradient value: {@code -0f} leaves every float as it is (a signed zero too). */
  private static final float RAW = -0f;

  /**
   * Added to each gradient value: {@code +0f} turns {@code -0} into {@code +0} and leaves the rest.
   */
  private static final float AS_ACCUMULATED = 0f;

  /**
   * Values per block of {@link #stepTensor}: a block of each array (16 KiB apiece) stays in the L2
   * cache between the copy in, the update and the copy out, and is long enough that the per-block
   * bulk copies and loop set-up cost nothing next to the update.
   */
  private static final int BLOCK = 4096;

  /**
   * The gradient in the flat layout, filled block by block. Full-size rather than one block, so
   * that the update indexes every array alike: C2 vectorizes that loop, but not one that reads a
   * block array at another index (measured 3-5 times slower).
   */
  private final float[] gradient;

  /**
   * The Adam step of one tensor of the layout, where the gradient and the parameters the network
   * reads are native memory: what {@link LocalTrainer} runs once per tensor instead of {@link
   * #step}. It reads the gradient from {@code grad} and, besides updating this object's parameters
   * and moments, writes the new parameters into {@code paramMemory}. It goes block by block: the
   * gradient's block is copied in, updated, and its parameters copied out while the block is in
   * cache (the update is memory-bound), instead of three passes over all values: copy in, update,
   * copy out.
   *
   * <p>Same arithmetic as {@link #step}, bit for bit, with one option for the gradient's signed
   * zeros: {@code asAccumulatedIntoZero} adds {@code +0f} to each gradient value, as PyTorch does
   * when it accumulates a backward pass into a zeroed {@code .grad} ({@code 0 + g}, which maps
   * {@code -0} to {@code +0} and nothing else), so that a caller that takes each backward pass's
   * fresh gradient reproduces the bits of one that zeroes and reuses {@code .grad}.
   *
   * @param grad the tensor's gradient, from its position on ({@code size} values; read with
   *     relative gets, so its position advances by {@code size})
   * @param paramMemory the tensor's parameters as the network reads them, from index 0
   * @param offset where the tensor starts in the flat layout
   * @param size the tensor's number of values
   */
  public void stepTensor(
      FloatBuffer grad,
      FloatBuffer paramMemory,
      int offset,
      int size,
      StepConstants c,
      boolean asAccumulatedIntoZero) {
    if (offset < 0
        || size < 0
        || offset + size > params.length
        || grad.remaining() < size
        || paramMemory.limit() < size) {
      throw new IllegalArgumentException(
          "tensor of "
              + size
              + " values at "
              + offset
              + " does not fit: layout has "
              + params.length
              + ", gradient "
              + grad.remaining()
              + ", parameter memory "
              + paramMemory.limit());
    }
    float zero = asAccumulatedIntoZero ? AS_ACCUMULATED : RAW;
    for (int done = 0; done < size; done += BLOCK) {
      int n = Math.min(BLOCK, size - done);
      int from = offset + done;
      grad.get(gradient, from, n);
      update(
          params,
          m,
          v,
          gradient,
          from,
          from + n,
          zero,
          c.b1,
          c.oneMinusB1,
          c.b2,
          c.oneMinusB2,
          c.sqrtBc2,
          c.eps,
          c.stepSize);
      paramMemory.put(done, params, offset + done, n);
    }
  }

  // A separate small method with plain array loops, so that C2 compiles it on its own and
  // vectorizes it (sqrt and division included).
  private static void update(
      float[] p,
      float[] m,
      float[] v,
      float[] g,
      int from,
      int to,
      float zero,
      float b1,
      float oneMinusB1,
      float b2,
      float oneMinusB2,
      float sqrtBc2,
      float eps,
      float stepSize) {
    for (int i = from; i < to; i++) {
      float gi = g[i] + zero;
      float mi = m[i] * b1 + gi * oneMinusB1;
      float vi = v[i] * b2 + (gi * gi) * oneMinusB2;
      m[i] = mi;
      v[i] = vi;
      // sqrt in double, rounded once to float, is the correctly rounded float square root.
      float denom = (float) Math.sqrt(vi) / sqrtBc2 + eps;
      p[i] -= (mi / denom) * stepSize;
    }
  }

  /** The current parameters (live: not a copy; do not modify). */
  public float[] params() {
    return params;
  }

  /** A copy of parameters and moments with step counter {@code step}. */
  public TrainingState snapshot(long step) {
    return new TrainingState(params.clone(), m.clone(), v.clone(), step);
  }
}
