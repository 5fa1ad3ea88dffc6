package io.sparkvae.model.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.sparkvae.model.config.VaeConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * A trained VAE held in native memory for batched inference: encoding to the posterior's mean and
 * standard deviation, the per-example negative ELBO (an anomaly score), and decoding. Inputs and
 * outputs are packed row-major {@code float[]}, one native call sequence per batch, never per row.
 *
 * <p>Parameters live in one manager closed by {@link #close()}; each call's temporaries live in a
 * sub-manager closed before it returns. Grad mode is turned off for the calling thread on every
 * call (it is thread-local in PyTorch). Instances may be shared by threads: each call is
 * independent.
 */
public final class VaeInference implements AutoCloseable {
  private final VaeConfig config;
  private final VaeNetwork network;
  private final NDManager root;
  private final NDList params;

  /** Loads parameters in {@link ParamLayout} order onto a device. */
  public VaeInference(VaeConfig config, float[] flatParams, Device device) {
    this.config = config;
    this.network = new VaeNetwork(config);
    this.root = NDManager.newBaseManager(device);
    try {
      JniUtils.setGradMode(false);
      this.params = NativeParams.create(root, network.layout(), flatParams, DataType.FLOAT32);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** The configuration. */
  public VaeConfig config() {
    return config;
  }

  /** Posterior mean and standard deviation of a batch, each {@code [rows, latentDim]} row-major. */
  public record Encoding(float[] mean, float[] std) {}

  /**
   * Encodes {@code rows} inputs packed in {@code x} ({@code rows * inputDim} floats from index 0).
   */
  public Encoding encode(float[] x, int rows) {
    JniUtils.setGradMode(false);
    try (NDManager m = root.newSubManager()) {
      NDArray in = input(m, x, rows, config.inputDim());
      VaeNetwork.Posterior q = network.encode(params, in);
      return new Encoding(q.loc().toFloatArray(), q.logScale().exp().toFloatArray());
    }
  }

  /**
   * The per-example negative ELBO with KL weight 1 (the true bound, whatever beta was trained
   * with), using the configured KL estimator and {@code samples} draws of z; above one sample it is
   * the importance-weighted bound.
   *
   * @return {@code rows} values in nats
   */
  public float[] negElbo(float[] x, int rows, int samples, RandomGenerator noise) {
    JniUtils.setGradMode(false);
    int latent = config.latentDim();
    float[] eps = new float[samples * rows * latent];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = (float) noise.nextGaussian();
    }
    try (NDManager m = root.newSubManager()) {
      NDArray in = input(m, x, rows, config.inputDim());
      NDArray e = m.create(eps, new Shape(samples, rows, latent));
      Elbo elbo = samples > 1 && VaeConfig.KL_ANALYTIC.equals(config.klEstimator())
          ? new Elbo(new VaeNetwork(config.toBuilder().klEstimator(VaeConfig.KL_MC).build()))
          : new Elbo(network);
      return elbo.perExampleLoss(params, in, e, 1.0).toFloatArray();
    }
  }

  /**
   * Decoder means E[x|z] ({@code sigmoid(logits)} for Bernoulli) of {@code rows} latent codes.
   *
   * @return {@code rows * inputDim} floats
   */
  public float[] decodeMean(float[] z, int rows) {
    JniUtils.setGradMode(false);
    try (NDManager m = root.newSubManager()) {
      NDArray in = input(m, z, rows, config.latentDim());
      return network.mean(network.decode(params, in)).toFloatArray();
    }
  }

  /** Reconstructions: decoder means at the posterior mean of each input. */
  public float[] reconstruct(float[] x, int rows) {
    JniUtils.setGradMode(false);
    try (NDManager m = root.newSubManager()) {
      NDArray in = input(m, x, rows, config.inputDim());
      VaeNetwork.Posterior q = network.encode(params, in);
      return network.mean(network.decode(params, q.loc())).toFloatArray();
    }
  }

  private static NDArray input(NDManager m, float[] data, int rows, int dim) {
    if (rows < 0 || (long) rows * dim > data.length) {
      throw new IllegalArgumentException(
          rows + " rows of " + dim + " values do not fit in an array of " + data.length);
    }
    ByteBuffer bb = ByteBuffer.allocateDirect(rows * dim * Float.BYTES).order(ByteOrder.nativeOrder());
    bb.asFloatBuffer().put(data, 0, rows * dim);
    return m.create(bb, new Shape(rows, dim), DataType.FLOAT32);
  }

  /** Arrays held by the long-lived scope (the parameters): flat unless something leaks. */
  public int liveArrays() {
    return root.getManagedArrays().size();
  }

  @Override
  public void close() {
    root.close();
  }
}
