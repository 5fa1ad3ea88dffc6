package io.sparkvae.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.vae.Elbo;
import io.sparkvae.model.vae.NativeParams;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.VaeNetwork;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.random.RandomGenerator;

/**
 * One VAE replica that runs minibatch ELBO steps with Adam: what each Spark executor runs between
 * averaging rounds, and what the single-process CLI runs for a whole training.
 *
 * <p>Thread safety: one instance belongs to one thread at a time, but several instances may train
 * concurrently in one JVM. That rules out DJL's {@code GradientCollector} (one per JVM, a static
 * flag) and the engine-wide grad mode: this class drives PyTorch autograd directly, turning grad
 * mode on for the calling thread only around the forward pass (it is thread-local, and on by
 * default in threads the engine did not create).
 *
 * <p>Native memory: every tensor lives in {@link #root}, closed by {@link #close()}; each step's
 * temporaries live in a per-step sub-manager closed at the end of the step, so the live count is
 * flat over any number of steps. The noise of the ELBO comes from the caller's generator, so a
 * replica seeded from (seed, round, partition) recomputes exactly the same steps.
 *
 * <p>Adam follows PyTorch's {@code torch.optim.Adam} (no weight decay): {@code m = b1 m + (1-b1)
 * g}, {@code v = b2 v + (1-b2) g^2}, {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)},
 * with {@code t} the global step counter carried in {@link TrainingState}. On CPU it runs as one
 * fused pass in Java ({@link FlatAdam}) over the parameters' own memory: the parameter tensors
 * alias one direct buffer of this trainer, and the update reads each gradient from native memory
 * and writes the new parameters into that buffer, block by block. Each step differentiates fresh
 * leaf tensors over that memory rather than long-lived ones, so that the backward pass hands over a
 * new gradient instead of adding it into a zeroed {@code .grad} (two memory passes over all
 * parameters saved, for the same bits: see {@link #adamStep}). On a GPU (or should a CPU tensor
 * ever not alias its buffer) it runs as tensor operations on the device. The two agree to the last
 * bit of the parameters (tested; see {@link FlatAdam} for why not every bit).
 *
 * <p>Over 400 lines because the step is one unit: the aliasing of parameter tensors onto this
 * trainer's buffer, the forward/backward over fresh leaves and the two Adam paths share that memory
 * and must change together; the Adam arithmetic itself is in {@link FlatAdam}.
 */
public final class LocalTrainer implements AutoCloseable {
  /** Final but for the learning rate, which {@link #adopt} may change. */
  private VaeConfig config;

  private final ParamLayout layout;
  private final Elbo elbo;
  private final NDManager root;
  private final NDList params;
  private final NDList adamM;
  private final NDList adamV;
  private final int k;
  private final ByteBuffer inputBuffer;
  private final ByteBuffer noiseBuffer;

  /** The fused CPU update, or null to update with tensor operations. */
  private final FlatAdam flatAdam;

  /** The memory each CPU parameter tensor aliases, in layout order, or null. */
  private final ByteBuffer[] paramMemory;

  /** Float views of {@link #paramMemory}, or null. */
  private final FloatBuffer[] paramViews;

  /** Whether this replica ran a backward pass before (see {@link #adamStep}). */
  private boolean differentiatedBefore;

  private long step;

  /**
   * A replica on a device, starting from {@code state}.
   *
   * @param device CPU, or the GPU of the Spark task
   */
  public LocalTrainer(VaeConfig config, TrainingState state, Device device) {
    this(config, state, device, true);
  }

  /**
   * @param fusedCpuAdam whether to use the fused Java update on CPU (false: tensor operations, as
   *     on a GPU; for tests that compare the two)
   */
  LocalTrainer(VaeConfig config, TrainingState state, Device device, boolean fusedCpuAdam) {
    this.config = config;
    VaeNetwork network = new VaeNetwork(config);
    this.layout = network.layout();
    this.elbo = new Elbo(network);
    this.k = config.elboSamples();
    this.root = NDManager.newBaseManager(device);
    boolean ok = false;
    try {
      JniUtils.setGradMode(false);
      boolean fused = false;
      if (fusedCpuAdam && Device.Type.CPU.equals(device.getDeviceType())) {
        ByteBuffer[] slices = alignedSlices(layout);
        this.paramMemory = slices;
        this.params = new NDList(layout.tensorCount());
        this.paramViews = new FloatBuffer[layout.tensorCount()];
        for (int i = 0; i < layout.tensorCount(); i++) {
          ParamLayout.Entry e = layout.entries().get(i);
          paramViews[i] = slices[i].asFloatBuffer();
          NDArray a = root.create(slices[i], new Shape(e.shape()), DataType.FLOAT32);
          a.setName(e.name());
          params.add(a);
        }
        writeParams(state.params());
        fused = aliases(params.get(0), paramViews[0]);
      } else {
        this.paramMemory = null;
        this.paramViews = null;
        this.params = NativeParams.create(root, layout, state.params(), DataType.FLOAT32);
      }
      if (fused) {
        this.flatAdam = new FlatAdam(state);
        this.adamM = null;
        this.adamV = null;
      } else {
        this.flatAdam = null;
        this.adamM = NativeParams.create(root, layout, state.adamM(), DataType.FLOAT32);
        this.adamV = NativeParams.create(root, layout, state.adamV(), DataType.FLOAT32);
      }
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      this.step = state.step();
      this.inputBuffer = direct(config.batchSize() * config.inputDim());
      this.noiseBuffer = direct(k * config.batchSize() * config.latentDim());
      ok = true;
    } finally {
      if (!ok) {
        root.close();
      }
    }
  }

  private static ByteBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
  }

  /** Each tensor of the aliased parameter memory starts on a cache line, as PyTorch's own do. */
  private static final int ALIGNMENT = 64;

  private static final int ALIGN_FLOATS = ALIGNMENT / Float.BYTES;

  /**
   * One direct buffer for all parameters, cut into one slice per layout entry, each starting on a
   * 64-byte boundary.
   */
  private static ByteBuffer[] alignedSlices(ParamLayout layout) {
    int[] offsets = new int[layout.tensorCount() + 1];
    for (int i = 0; i < layout.tensorCount(); i++) {
      int size = layout.entries().get(i).size();
      offsets[i + 1] = offsets[i] + (size + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    }
    ByteBuffer memory =
        direct(offsets[layout.tensorCount()] + ALIGN_FLOATS).alignedSlice(ALIGNMENT);
    ByteBuffer[] slices = new ByteBuffer[layout.tensorCount()];
    for (int i = 0; i < slices.length; i++) {
      slices[i] =
          memory
              .slice(offsets[i] * Float.BYTES, layout.entries().get(i).size() * Float.BYTES)
              .order(ByteOrder.nativeOrder());
    }
    return slices;
  }

  /**
   * Whether a CPU tensor reads the memory of the buffer it was created from (DJL's CPU tensors do).
   */
  private static boolean aliases(NDArray tensor, FloatBuffer memory) {
    float was = memory.get(0);
    float probe = was == 1f ? 2f : 1f;
    memory.put(0, probe);
    boolean same = tensor.getFloat(new long[tensor.getShape().dimension()]) == probe;
    memory.put(0, was);
    return same;
  }

  /** Writes flat parameters into the memory the CPU parameter tensors alias. */
  private void writeParams(float[] flat) {
    for (int i = 0; i < paramViews.length; i++) {
      ParamLayout.Entry e = layout.entries().get(i);
      paramViews[i].put(0, flat, e.offset(), e.size());
    }
  }

  /** Replaces parameters, Adam moments and step counter (as after an averaging round). */
  public void load(TrainingState state) {
    JniUtils.setGradMode(false);
    if (flatAdam != null) {
      flatAdam.load(state);
      writeParams(flatAdam.params());
    } else {
      NativeParams.copyInto(params, layout, state.params());
      NativeParams.copyInto(adamM, layout, state.adamM());
      NativeParams.copyInto(adamV, layout, state.adamV());
    }
    this.step = state.step();
  }

  /**
   * Copies the current parameters, Adam moments and step counter out (of native memory on a GPU).
   */
  public TrainingState snapshot() {
    JniUtils.setGradMode(false);
    if (flatAdam != null) {
      return flatAdam.snapshot(step);
    }
    return new TrainingState(
        NativeParams.toFlat(params, layout),
        NativeParams.toFlat(adamM, layout),
        NativeParams.toFlat(adamV, layout),
        step);
  }

  /**
   * Continues with {@code other} when it differs from this replica's configuration at most in the
   * learning rate (a warm-up round's or a rollback's rate), so that a replica kept between rounds
   * follows the driver's rate of each round without rebuilding its native state; the rate is read
   * at every step, nothing else depends on it.
   *
   * @return whether it was adopted (false: the network or the minibatch differ; build a new
   *     replica)
   */
  public boolean adopt(VaeConfig other) {
    if (!other.toBuilder().learningRate(config.learningRate()).build().equals(config)) {
      return false;
    }
    this.config = other;
    return true;
  }

  /** Whether this replica updates with the fused CPU Adam. */
  boolean fusedAdam() {
    return flatAdam != null;
  }

  /** Adam steps taken so far (global, across rounds). */
  public long step() {
    return step;
  }

  /** Arrays owned by this replica's long-lived scope: flat over steps unless something leaks. */
  public int liveArrays() {
    return root.getManagedArrays().size();
  }

  /**
   * Runs {@code steps} minibatch steps.
   *
   * @param batches the minibatches, one per step
   * @param noise the generator of the ELBO's standard-normal noise
   * @throws NonFiniteLossException when a minibatch loss is NaN or infinite (parameters are left as
   *     they were before that step)
   */
  public TrainStats train(BatchSource batches, int steps, RandomGenerator noise) {
    long start = System.nanoTime();
    long cpuStart = ThreadCpu.nanos();
    double lossSum = 0;
    long examples = 0;
    FloatBuffer in = inputBuffer.asFloatBuffer();
    FloatBuffer eps = noiseBuffer.asFloatBuffer();
    int dim = config.inputDim();
    int latent = config.latentDim();
    for (int s = 0; s < steps; s++) {
      in.clear();
      int rows = batches.nextBatch(in);
      if (rows < 1 || rows > config.batchSize()) {
        throw new IllegalStateException(
            "batch source returned " + rows + " rows; expected 1.." + config.batchSize());
      }
      eps.clear();
      for (int i = 0, n = k * rows * latent; i < n; i++) {
        eps.put((float) noise.nextGaussian());
      }
      double klWeight = config.klWeightAt(step + 1);
      try (NDManager batch = root.newSubManager()) {
        NDList leaves = differentiated(batch);
        NDArray x =
            batch.create(
                inputBuffer.slice(0, rows * dim * Float.BYTES).order(ByteOrder.nativeOrder()),
                new Shape(rows, dim),
                DataType.FLOAT32);
        NDArray e =
            batch.create(
                noiseBuffer
                    .slice(0, k * rows * latent * Float.BYTES)
                    .order(ByteOrder.nativeOrder()),
                new Shape(k, rows, latent),
                DataType.FLOAT32);
        NDArray loss;
        JniUtils.setGradMode(true);
        try {
          loss = elbo.perExampleLoss(leaves, x, e, klWeight).sum();
        } finally {
          JniUtils.setGradMode(false);
        }
        double value = loss.getFloat();
        if (!Double.isFinite(value)) {
          clearGradients();
          throw new NonFiniteLossException(step + 1, value);
        }
        NDArray ones = batch.ones(loss.getShape(), loss.getDataType());
        JniUtils.backward((PtNDArray) loss, (PtNDArray) ones, false, false);
        step++;
        adamStep(leaves);
        differentiatedBefore = true;
        lossSum += value;
        examples += rows;
      }
    }
    return new TrainStats(
        lossSum,
        examples,
        steps,
        (System.nanoTime() - start) / 1e9,
        ThreadCpu.secondsBetween(cpuStart, ThreadCpu.nanos()));
  }

  /**
   * The parameter tensors a step differentiates: for the fused update, new leaf tensors over the
   * parameter memory, owned by the step's manager (they and their gradients go with it); otherwise
   * the long-lived tensors, whose {@code .grad} the tensor update zeroes after each step.
   */
  private NDList differentiated(NDManager batch) {
    if (flatAdam == null) {
      return params;
    }
    NDList leaves = new NDList(params.size());
    for (int i = 0; i < params.size(); i++) {
      NDArray leaf = batch.create(paramMemory[i], params.get(i).getShape(), DataType.FLOAT32);
      leaf.setRequiresGradient(true);
      leaves.add(leaf);
    }
    return leaves;
  }

  /**
   * The Adam step after a backward pass through {@code leaves}.
   *
   * <p>The fused update reads the gradient the backward pass left on each fresh leaf. Before, this
   * trainer differentiated long-lived tensors and zeroed their {@code .grad} after each step;
   * PyTorch then adds each new gradient into the zeroed one ({@code 0 + g}: the same value, but
   * {@code +0} for {@code -0}), except at a replica's first backward pass, where it keeps the new
   * gradient as it is. The update reproduces exactly that, so the bits of every run stay those of
   * the trainer before this change.
   */
  private void adamStep(NDList leaves) {
    if (flatAdam != null) {
      FlatAdam.StepConstants c =
          FlatAdam.StepConstants.of(
              step,
              config.learningRate(),
              config.adamBeta1(),
              config.adamBeta2(),
              config.adamEps());
      for (int i = 0; i < leaves.size(); i++) {
        ParamLayout.Entry e = layout.entries().get(i);
        // A direct view of the gradient's memory where DJL can give one, else a copy: read either
        // way.
        try (NDArray g = leaves.get(i).getGradient()) {
          FloatBuffer grad = g.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
          flatAdam.stepTensor(grad, paramViews[i], e.offset(), e.size(), c, differentiatedBefore);
        }
      }
      return;
    }
    double b1 = config.adamBeta1();
    double b2 = config.adamBeta2();
    double bc1 = 1 - Math.pow(b1, step);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(b2, step));
    double stepSize = config.learningRate() / bc1;
    float eps = (float) config.adamEps();
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i);
      NDArray m = adamM.get(i);
      NDArray v = adamV.get(i);
      // getGradient() hands out a new native handle each call: close it every step.
      try (NDArray g = p.getGradient()) {
        m.muli(b1);
        try (NDArray t = g.mul(1 - b1)) {
          m.addi(t);
        }
        v.muli(b2);
        try (NDArray g2 = g.square()) {
          g2.muli(1 - b2);
          v.addi(g2);
        }
        try (NDArray denom = v.sqrt()) {
          denom.divi(sqrtBc2).addi(eps);
          try (NDArray update = m.div(denom)) {
            update.muli(stepSize);
            p.subi(update);
          }
        }
      }
      JniUtils.zeroGrad((PtNDArray) p);
    }
  }

  private void clearGradients() {
    for (NDArray p : params) {
      JniUtils.zeroGrad((PtNDArray) p);
    }
  }

  /** The configuration. */
  public VaeConfig config() {
    return config;
  }

  /** The current parameters as native tensors (for evaluation on the same replica). */
  NDList nativeParams() {
    return params;
  }

  @Override
  public void close() {
    root.close();
  }
}
