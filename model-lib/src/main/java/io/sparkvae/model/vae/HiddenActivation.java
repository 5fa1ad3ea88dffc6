package io.sparkvae.model.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The non-linearity of hidden layers, by its configuration name ({@code activation}). */
public enum HiddenActivation {
  /** {@code log(1 + exp(a))}, PyTorch's stable kernel (Pyro's example). */
  SOFTPLUS {
    @Override
    public NDArray apply(NDArray a) {
      return Activation.softPlus(a);
    }
  },
  /** {@code max(a, 0)}. */
  RELU {
    @Override
    public NDArray apply(NDArray a) {
      return Activation.relu(a);
    }
  },
  /** {@code tanh(a)}. */
  TANH {
    @Override
    public NDArray apply(NDArray a) {
      return Activation.tanh(a);
    }
  };

  /** The activation of {@code a}, a new array on {@code a}'s manager. */
  public abstract NDArray apply(NDArray a);

  /** The name used in configurations: {@code softplus}, {@code relu}, {@code tanh}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The activation of a configuration name.
   *
   * @throws IllegalArgumentException for a name with no activation (never a silent default)
   */
  public static HiddenActivation of(String name) {
    for (HiddenActivation a : values()) {
      if (a.configName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "activation '"
            + name
            + "' is unknown; choose one of "
            + Arrays.stream(values())
                .map(HiddenActivation::configName)
                .collect(Collectors.joining(", ")));
  }

  /**
   * The configuration name ({@code softplus}), so that messages and logs show the value as it is
   * written.
   */
  @Override
  public String toString() {
    return io.sparkvae.model.config.ParamType.nameOf(this);
  }
}
