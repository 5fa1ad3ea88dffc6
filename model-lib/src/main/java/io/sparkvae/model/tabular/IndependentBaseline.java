package io.sparkvae.model.tabular;

/**
 * The independent-columns model of a {@link TabularSchema}: the same per-column likelihoods as
 * {@link TabularLikelihood}, with no latent code, each at its maximum-likelihood marginal fitted on
 * the training data and stored in the schema (numeric: N(0, 1) in the standardised signed-log
 * space, since center and scale are the training mean and standard deviation there; categorical:
 * training frequencies with half a count added to every entry, so unknown has a finite probability;
 * binary: the training fraction of ones; count: Poisson at the training mean). It is the baseline
 * of the tabular benchmark, computed without training, and its parameters are the offsets {@link
 * TabularLikelihood} adds to the decoder's outputs.
 */
public final class IndependentBaseline {
  private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  /** Keeps binary logits and count log-rates finite for constant training columns. */
  private static final double MIN_PROB = 1e-6;

  private IndependentBaseline() {}

  /** Per decoder output, the marginal's natural parameter (0 for numeric means). */
  static float[] decoderOffsets(TabularSchema schema) {
    float[] out = new float[schema.decoderOutputs()];
    int d = 0;
    for (TabularColumn c : schema.columns()) {
      switch (c.kind()) {
        case NUMERIC -> out[d] = 0f;
        case BINARY -> {
          double p = clamp(c.center());
          out[d] = (float) Math.log(p / (1 - p));
        }
        case COUNT -> out[d] = (float) Math.log(Math.max(c.center(), MIN_PROB));
        case CATEGORICAL -> {
          double[] lp = categoricalLogProbs(c);
          for (int i = 0; i < lp.length; i++) {
            out[d + i] = (float) lp[i];
          }
        }
      }
      d += c.decoderOutputs();
    }
    return out;
  }

  private static double clamp(double p) {
    return Math.min(1 - MIN_PROB, Math.max(MIN_PROB, p));
  }

  private static double[] categoricalLogProbs(TabularColumn c) {
    long[] counts = c.counts();
    double total = 0;
    for (long n : counts) {
      total += n + 0.5;
    }
    double[] lp = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      lp[i] = Math.log((counts[i] + 0.5) / total);
    }
    return lp;
  }

  /**
   * Log-probability of each column of one packed row under the marginals ({@code 0} for a missing
   * value), written into {@code out[0 .. columns)}.
   */
  public static void columnLogProb(TabularSchema schema, float[] row, int offset, double[] out) {
    for (int j = 0; j < schema.columns().size(); j++) {
      TabularColumn c = schema.columns().get(j);
      int o = offset + schema.offset(j);
      if (row[o + c.packedWidth() - 1] == 0f) {
        out[j] = 0;
        continue;
      }
      double v = row[o];
      out[j] =
          switch (c.kind()) {
            case NUMERIC -> -0.5 * v * v - HALF_LOG_2PI;
            case BINARY -> Math.log(v == 1 ? clamp(c.center()) : 1 - clamp(c.center()));
            case COUNT -> {
              double k = Math.rint(Math.expm1(v));
              double rate = Math.max(c.center(), MIN_PROB);
              yield k * Math.log(rate) - rate - logGamma(k + 1);
            }
            case CATEGORICAL -> {
              double[] lp = categoricalLogProbs(c);
              int i = 0;
              while (i < lp.length - 1 && row[o + i] == 0f) {
                i++;
              }
              yield lp[i];
            }
          };
    }
  }

  /**
   * {@code log Gamma(x)} for {@code x > 0}: Lanczos (g = 7, 9 terms), relative error below 1e-13.
   */
  public static double logGamma(double x) {
    if (x < 0.5) {
      // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    double[] g = {
      0.99999999999980993,
      676.5203681218851,
      -1259.1392167224028,
      771.32342877765313,
      -176.61502916214059,
      12.507343278686905,
      -0.13857109526572012,
      9.9843695780195716e-6,
      1.5056327351493116e-7
    };
    double y = x - 1;
    double a = g[0];
    double t = y + 7.5;
    for (int i = 1; i < 9; i++) {
      a += g[i] / (y + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
  }
}
