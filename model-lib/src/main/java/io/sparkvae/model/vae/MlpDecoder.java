package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Pyro's VAE decoder: hidden {@link DenseLayer}s with an activation, then a linear output layer.
 * Declares {@code dec.h<i>} and {@code dec.out}.
 */
public final class MlpDecoder implements Decoder {
  private final DenseLayer[] hidden;
  private final DenseLayer out;
  private final HiddenActivation activation;

  /** Declares the decoder's tensors in {@code layout}. */
  public MlpDecoder(
      ParamLayout.Builder layout,
      int latentDim,
      int[] hiddenSizes,
      int outputWidth,
      HiddenActivation activation) {
    this.activation = activation;
    this.hidden = new DenseLayer[hiddenSizes.length];
    int in = latentDim;
    for (int i = 0; i < hiddenSizes.length; i++) {
      hidden[i] = DenseLayer.declare(layout, "dec.h" + i, in, hiddenSizes[i]);
      in = hiddenSizes[i];
    }
    this.out = DenseLayer.declare(layout, "dec.out", in, outputWidth);
  }

  @Override
  public int latentDim() {
    return hidden.length > 0 ? hidden[0].in() : out.in();
  }

  @Override
  public int outputWidth() {
    return out.out();
  }

  @Override
  public NDArray decode(NDList params, NDArray z) {
    NDArray h = z;
    for (DenseLayer layer : hidden) {
      h = activation.apply(layer.apply(params, h));
    }
    return out.apply(params, h);
  }
}
