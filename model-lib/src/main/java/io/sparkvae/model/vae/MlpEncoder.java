package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Pyro's VAE encoder: hidden {@link DenseLayer}s with an activation, then two linear heads, {@code
 * loc = W x + b} and {@code logScale = W' x + b'} (Pyro takes {@code exp} of the second). Declares
 * {@code enc.h<i>}, {@code enc.loc} and {@code enc.scale}.
 */
public final class MlpEncoder implements Encoder {
  private final DenseLayer[] hidden;
  private final DenseLayer loc;
  private final DenseLayer scale;
  private final HiddenActivation activation;

  /** Declares the encoder's tensors in {@code layout}. */
  public MlpEncoder(
      ParamLayout.Builder layout,
      int inputWidth,
      int[] hiddenSizes,
      int latentDim,
      HiddenActivation activation) {
    this.activation = activation;
    this.hidden = new DenseLayer[hiddenSizes.length];
    int in = inputWidth;
    for (int i = 0; i < hiddenSizes.length; i++) {
      hidden[i] = DenseLayer.declare(layout, "enc.h" + i, in, hiddenSizes[i]);
      in = hiddenSizes[i];
    }
    this.loc = DenseLayer.declare(layout, "enc.loc", in, latentDim);
    this.scale = DenseLayer.declare(layout, "enc.scale", in, latentDim);
  }

  @Override
  public int inputWidth() {
    return hidden.length > 0 ? hidden[0].in() : loc.in();
  }

  @Override
  public int latentDim() {
    return loc.out();
  }

  @Override
  public Posterior encode(NDList params, NDArray x) {
    NDArray h = x;
    for (DenseLayer layer : hidden) {
      h = activation.apply(layer.apply(params, h));
    }
    return new Posterior(loc.apply(params, h), scale.apply(params, h));
  }
}
