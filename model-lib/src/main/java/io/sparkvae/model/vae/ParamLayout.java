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
 * <p>The layout is not written down here: each block of the network ({@link Encoder}, {@link
 * Decoder}, {@link Likelihood}) declares its own tensors, with their initialisation, through a
 * {@link Builder}, and gets back the index under which it finds each tensor in the parameter list.
 * {@link VaeNetwork} declares the blocks in this order, which gives format version 1's layout: for
 * each encoder hidden layer {@code enc.h<i>.weight [out,in]}, {@code enc.h<i>.bias [out]}; then
 * {@code enc.loc.weight/bias} and {@code enc.scale.weight/bias} (the log of the posterior scale, as
 * Pyro's example takes {@code exp} of a linear layer); then each decoder hidden layer {@code
 * dec.h<i>}; then {@code dec.out.weight/bias} (Bernoulli logits or Gaussian means); finally, for a
 * Gaussian likelihood with learned variance, {@code dec.logStd [inputDim]}. Weights are row-major
 * {@code [out, in]} as in PyTorch's {@code nn.Linear}.
 */
public final class ParamLayout {
  /** One tensor of the layout: its name, shape, offset into the flat array, and initialisation. */
  public record Entry(String name, long[] shape, int offset, int size, Init init) {}

  private final List<Entry> entries;
  private final int totalSize;

  private ParamLayout(List<Entry> entries, int totalSize) {
    this.entries = Collections.unmodifiableList(entries);
    this.totalSize = totalSize;
  }

  /** The layout of a configuration's parameters (that of {@link VaeNetwork#VaeNetwork}). */
  public static ParamLayout of(VaeConfig config) {
    return new VaeNetwork(config).layout();
  }

  /** An empty layout to declare tensors into, in flattening order. */
  public static Builder builder() {
    return new Builder();
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

  /** Collects tensor declarations in order; each declaration returns the tensor's list index. */
  public static final class Builder {
    private final List<Entry> list = new ArrayList<>();
    private int offset;
    private boolean built;

    private Builder() {}

    /**
     * Declares the next tensor.
     *
     * @return its index in the layout, and so in every parameter {@code NDList} of the network
     * @throws IllegalArgumentException for a duplicate name, or when the network outgrows one Java
     *     array
     */
    public int add(String name, long[] shape, Init init) {
      if (built) {
        throw new IllegalStateException(
            "the layout was already built; declare " + name + " before");
      }
      for (Entry e : list) {
        if (e.name.equals(name)) {
          throw new IllegalArgumentException("two parameter tensors are named " + name);
        }
      }
      long size = 1;
      for (long d : shape) {
        size *= d;
      }
      if ((long) offset + size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "the VAE has more than " + (Integer.MAX_VALUE - 8) + " parameters; reduce layer sizes");
      }
      list.add(new Entry(name, shape.clone(), offset, (int) size, init));
      offset += (int) size;
      return list.size() - 1;
    }

    /** The layout of every tensor declared so far. */
    public ParamLayout build() {
      built = true;
      return new ParamLayout(new ArrayList<>(list), offset);
    }
  }
}
