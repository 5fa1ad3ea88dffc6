package io.sparkvae.model.tabular;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.sparkvae.model.vae.Init;
import io.sparkvae.model.vae.Likelihood;
import io.sparkvae.model.vae.Likelihoods;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.model.vae.Support;

/**
 * The mixed likelihood of a {@link TabularSchema}: one block per original column, each reading its
 * target and observed flag from its slice of the packed row {@code x} and its natural parameters
 * from its slice of the decoder output. {@link #columns()} is the number of ORIGINAL columns, so
 * {@link #columnLogProb} returns one log-probability per column: the per-column contributions
 * reported at scoring. A column whose observed flag is 0 contributes exactly 0 to the loss and to
 * the gradient (its log-probability, finite, is multiplied by the flag).
 *
 * <ul>
 *   <li>numeric: Gaussian on the standardised signed-log value, mean from the decoder, log-std
 *       learned per column ({@code tab.logStd [numeric columns]}, starting at 0);
 *   <li>categorical: softmax over vocabulary + unknown;
 *   <li>binary: Bernoulli on a logit;
 *   <li>count: Poisson on a log-rate, {@code k log r - r - log k!}; the target is recovered from
 *       the packed {@code log1p(k)} by {@code round(exp(x) - 1)}.
 * </ul>
 *
 * Every logit and log-rate is the decoder output plus the column's training marginal (log
 * frequencies, the log of the mean count), so an untrained decoder (outputs near 0) starts at the
 * independent-columns model and the latent code only has to learn what the columns share.
 *
 * <p>Densities of numeric columns are in the standardised signed-log space (no Jacobian back to the
 * raw units), so log-probabilities of the VAE and of {@link IndependentBaseline} compare in the
 * same units. Every temporary is closed before returning.
 */
public final class TabularLikelihood implements Likelihood {
  private final TabularSchema schema;

  /** Index of {@code tab.logStd} in the parameter list, or -1 without numeric columns. */
  private final int logStd;

  private final float[] offsets;

  /** Declares {@code tab.logStd} in {@code layout} when the schema has numeric columns. */
  public TabularLikelihood(TabularSchema schema, ParamLayout.Builder layout) {
    this.schema = schema;
    long numeric = schema.columns().stream().filter(c -> c.kind() == ColumnKind.NUMERIC).count();
    this.logStd = numeric > 0 ? layout.add("tab.logStd", new long[] {numeric}, Init.zeros()) : -1;
    this.offsets = IndependentBaseline.decoderOffsets(schema);
  }

  /** The schema. */
  public TabularSchema schema() {
    return schema;
  }

  @Override
  public int columns() {
    return schema.columns().size();
  }

  @Override
  public int decoderOutputs() {
    return schema.decoderOutputs();
  }

  @Override
  public Support support() {
    // Rows are packed by the schema, which refuses infinities; only finiteness is left to check.
    return Support.REAL;
  }

  @Override
  public NDArray columnLogProb(NDList params, NDArray x, NDArray decoded) {
    NDList temps = new NDList();
    NDList perColumn = new NDList();
    try {
      NDArray shifted = keep(temps, shift(decoded, temps));
      int d = 0;
      int numeric = 0;
      for (int j = 0; j < schema.columns().size(); j++) {
        TabularColumn c = schema.columns().get(j);
        int o = schema.offset(j);
        int w = c.packedWidth();
        NDArray out = keep(temps, slice(shifted, d, d + c.decoderOutputs()));
        NDArray target =
            keep(
                temps,
                x.get(
                    new NDIndex(
                        "..., {}:{}",
                        o,
                        o + (c.kind() == ColumnKind.CATEGORICAL ? c.categories() : 1))));
        NDArray lp =
            switch (c.kind()) {
              case NUMERIC -> {
                NDArray ls =
                    keep(temps, params.get(logStd).get(new NDIndex("{}:{}", numeric, numeric + 1)));
                numeric++;
                yield Likelihoods.gaussianColumnLogProb(target, out, ls);
              }
              case BINARY -> Likelihoods.bernoulliColumnLogProb(target, out);
              case COUNT -> poisson(target, out, temps);
              case CATEGORICAL -> {
                NDArray lsm = keep(temps, out.logSoftmax(-1));
                NDArray picked = keep(temps, target.mul(lsm));
                yield picked.sum(new int[] {-1}, true);
              }
            };
        temps.add(lp);
        NDArray observed = keep(temps, x.get(new NDIndex("..., {}:{}", o + w - 1, o + w)));
        perColumn.add(lp.mul(observed));
        d += c.decoderOutputs();
      }
      return NDArrays.concat(perColumn, -1);
    } finally {
      temps.close();
      perColumn.close();
    }
  }

  /** {@code k log r - r - log k!} with {@code k = round(exp(packed) - 1)}, {@code [..., B, 1]}. */
  private static NDArray poisson(NDArray packed, NDArray logRate, NDList temps) {
    NDArray e = keep(temps, packed.exp());
    NDArray km1 = keep(temps, e.sub(1));
    NDArray k = keep(temps, km1.round());
    NDArray k1 = keep(temps, k.add(1));
    NDArray logFact = keep(temps, k1.gammaln());
    NDArray klr = keep(temps, k.mul(logRate));
    NDArray rate = keep(temps, logRate.exp());
    NDArray a = keep(temps, klr.sub(rate));
    return a.sub(logFact);
  }

  /** The decoder output plus each column's marginal offset, in the decoder's dtype. */
  private NDArray shift(NDArray decoded, NDList temps) {
    NDArray javaBacked = keep(temps, decoded.getManager().create(offsets));
    NDArray typed = keep(temps, javaBacked.toType(decoded.getDataType(), true));
    // A tensor owned by PyTorch (see Likelihoods.mulConst): the Java buffer may be freed by the GC.
    NDArray owned = keep(temps, typed.duplicate());
    return decoded.add(owned);
  }

  /** Adds {@code a} to the arrays closed at the end of the call, and returns it. */
  private static NDArray keep(NDList temps, NDArray a) {
    temps.add(a);
    return a;
  }

  private static NDArray slice(NDArray a, int from, int to) {
    return a.get(new NDIndex("..., {}:{}", from, to));
  }

  /**
   * The mean in packed space, {@code [..., B, packedWidth]}: numeric: the Gaussian mean;
   * categorical: the softmax probabilities; binary: the probability of 1; count: {@code log1p} of
   * the rate ({@code softplus} of the log-rate), as the input packs counts; every observed flag is
   * 1.
   */
  @Override
  public NDArray mean(NDArray decoded) {
    NDList temps = new NDList();
    NDList parts = new NDList();
    try {
      NDArray shifted = keep(temps, shift(decoded, temps));
      NDArray one = keep(temps, keep(temps, slice(shifted, 0, 1)).onesLike());
      int d = 0;
      for (TabularColumn c : schema.columns()) {
        NDArray out = keep(temps, slice(shifted, d, d + c.decoderOutputs()));
        parts.add(
            switch (c.kind()) {
              case NUMERIC -> out.duplicate();
              case BINARY -> Activation.sigmoid(out);
              case COUNT -> Activation.softPlus(out);
              case CATEGORICAL -> out.softmax(-1);
            });
        parts.add(one.duplicate());
        d += c.decoderOutputs();
      }
      return NDArrays.concat(parts, -1);
    } finally {
      temps.close();
      parts.close();
    }
  }
}
