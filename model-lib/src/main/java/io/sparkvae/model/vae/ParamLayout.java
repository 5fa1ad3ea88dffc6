package io.sparkvae.model.vae;

import io.sparkvae.model.config.VaeConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stable order in which a VAE's parameter tensors are flattened into one {@code float[]}.
 * Replicas are averaged, checkpoints written and models saved in this layout, so it is part of the
 * on-disk format: changing it needs a new model format version.
 *
 * <p>Order: for each encoder hidden layer {@code enc.h<i>.weight [out,in]}, {@code enc.h<i>.bias
 * [out]}; then {@code enc.loc.weight/bias} and {@code enc.scale.weight/bias} (the log of the
 * posterior scale, as Pyro's example takes {@code exp} of a linear layer); then each decoder hidden
 * layer {@code dec.h<i>}; then {@code dec.out.weight/bias} (Bernoulli logits or Gaussian means);
 * finally, for a Gaussian likelihood with learned variance, {@code dec.logStd [inputDim]}. Weights
 * are row-major {@code [out, in]} as in PyTorch's {@code nn.Linear}.
 */
public final class ParamLayout {
  /** One tensor of the layout: its name, shape and offset into the flat array. */
  public record Entry(String name, long[] shape, int offset, int size) {
    /** Fan-in of a weight matrix (its second dimension), or of the layer a bias belongs to. */
    public int fanIn(ParamLayout layout) {
      if (shape.length == 2) {
        return (int) shape[1];
      }
      if (!name.endsWith(".bias")) {
        return 0; // dec.logStd belongs to no layer
      }
      String weight = name.replace(".bias", ".weight");
      for (Entry e : layout.entries) {
        if (e.name.equals(weight)) {
          return (int) e.shape[1];
        }
      }
      return 0;
    }
  }

  private final List<Entry> entries;
  private final int totalSize;

  private ParamLayout(List<Entry> entries, int totalSize) {
    this.entries = Collections.unmodifiableList(entries);
    this.totalSize = totalSize;
  }

  /** The layout of a configuration's parameters. */
  public static ParamLayout of(VaeConfig config) {
    List<Entry> list = new ArrayList<>();
    int[] offset = {0};
    int in = config.inputDim();
    int[] enc = config.encoderHidden();
    for (int i = 0; i < enc.length; i++) {
      linear(list, offset, "enc.h" + i, in, enc[i]);
      in = enc[i];
    }
    linear(list, offset, "enc.loc", in, config.latentDim());
    linear(list, offset, "enc.scale", in, config.latentDim());
    in = config.latentDim();
    int[] dec = config.decoderHidden();
    for (int i = 0; i < dec.length; i++) {
      linear(list, offset, "dec.h" + i, in, dec[i]);
      in = dec[i];
    }
    linear(list, offset, "dec.out", in, config.inputDim());
    if (config.learnsObservationStd()) {
      add(list, offset, "dec.logStd", new long[] {config.inputDim()});
    }
    return new ParamLayout(list, offset[0]);
  }

  private static void linear(List<Entry> list, int[] offset, String name, int in, int out) {
    add(list, offset, name + ".weight", new long[] {out, in});
    add(list, offset, name + ".bias", new long[] {out});
  }

  private static void add(List<Entry> list, int[] offset, String name, long[] shape) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    if ((long) offset[0] + size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "the VAE has more than " + (Integer.MAX_VALUE - 8) + " parameters; reduce layer sizes");
    }
    list.add(new Entry(name, shape, offset[0], (int) size));
    offset[0] += (int) size;
  }

  /** The tensors in flattening order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The number of tensors. */
  public int tensorCount() {
    return entries.size();
  }

  /** The total number of scalar parameters. */
  public int totalSize() {
    return totalSize;
  }

  /** The entry with this name, or throws. */
  public Entry entry(String name) {
    for (Entry e : entries) {
      if (e.name.equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException("no parameter named " + name);
  }
}
