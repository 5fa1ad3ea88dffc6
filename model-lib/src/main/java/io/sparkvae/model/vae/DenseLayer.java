package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;

/**
 * A fully connected layer {@code y = W x + b} as PyTorch's {@code nn.Linear}: weight {@code [out,
 * in]} and bias {@code [out]}, both initialised uniform in {@code ±1/sqrt(in)}. It holds the list
 * indices of its two tensors, which it got when it declared them.
 *
 * @param weight index of {@code <name>.weight} in the parameter list
 * @param bias index of {@code <name>.bias}
 * @param in input width
 * @param out output width
 */
public record DenseLayer(int weight, int bias, int in, int out) {
  /** Declares {@code name.weight} and {@code name.bias} (in that order) in a layout. */
  public static DenseLayer declare(ParamLayout.Builder layout, String name, int in, int out) {
    int w = layout.add(name + ".weight", new long[] {out, in}, Init.uniformFanIn(in));
    int b = layout.add(name + ".bias", new long[] {out}, Init.uniformFanIn(in));
    return new DenseLayer(w, b, in, out);
  }

  /** {@code W h + b} over the last axis of {@code h}; the result is on {@code h}'s manager. */
  public NDArray apply(NDList params, NDArray h) {
    return Linear.linear(h, params.get(weight), params.get(bias)).singletonOrThrow();
  }
}
