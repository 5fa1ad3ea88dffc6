package io.sparkvae.spark.report;

import java.util.Arrays;

/**
 * Points of the latent space laid on a plane for a scatter plot: a two-dimensional latent space as
 * it is, a one-dimensional one along the x axis, and a larger one projected on its top two
 * principal components (covariance matrix and power iteration, in double precision, with a fixed
 * start vector, so that the same points always give the same picture).
 *
 * @param x the first coordinate of each point
 * @param y the second coordinate of each point
 * @param xTitle what the x axis is, for example {@code "PC1 (41% of variance)"}
 * @param yTitle what the y axis is
 * @param method a phrase for the page saying how the plane was obtained
 */
record LatentPlane(double[] x, double[] y, String xTitle, String yTitle, String method) {

  private static final int MAX_ITERATIONS = 10_000;
  private static final double TOLERANCE = 1e-12;

  /**
   * Lays {@code rows} points of {@code dim} coordinates, packed row-major, on a plane.
   *
   * @throws IllegalArgumentException if the array is too short or {@code dim < 1}
   */
  static LatentPlane of(float[] points, int rows, int dim) {
    if (dim < 1 || rows < 0 || (long) rows * dim > points.length) {
      throw new IllegalArgumentException(
          rows + " points of dimension " + dim + " do not fit in an array of " + points.length);
    }
    double[] x = new double[rows];
    double[] y = new double[rows];
    if (dim <= 2) {
      for (int r = 0; r < rows; r++) {
        x[r] = points[r * dim];
        y[r] = dim == 2 ? points[r * dim + 1] : 0;
      }
      return dim == 2
          ? new LatentPlane(x, y, "z1", "z2", "the two latent coordinates as they are")
          : new LatentPlane(
              x,
              y,
              "z1",
              "(none: the latent space is one-dimensional)",
              "the single latent coordinate along the x axis");
    }
    double[] mean = new double[dim];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        mean[j] += points[r * dim + j];
      }
    }
    for (int j = 0; j < dim; j++) {
      mean[j] /= Math.max(1, rows);
    }
    double[][] cov = covariance(points, rows, dim, mean);
    double[] pc1 = topEigenvector(cov, null);
    double[] pc2 = topEigenvector(cov, pc1);
    for (int r = 0; r < rows; r++) {
      double a = 0;
      double b = 0;
      for (int j = 0; j < dim; j++) {
        double c = points[r * dim + j] - mean[j];
        a += c * pc1[j];
        b += c * pc2[j];
      }
      x[r] = a;
      y[r] = b;
    }
    double total = 0;
    for (int j = 0; j < dim; j++) {
      total += cov[j][j];
    }
    return new LatentPlane(
        x,
        y,
        axisTitle("PC1", cov, pc1, total),
        axisTitle("PC2", cov, pc2, total),
        "the top two principal components of the " + dim + "-dimensional posterior means");
  }

  /** The sample covariance (divided by {@code rows - 1}) of centred points. */
  static double[][] covariance(float[] points, int rows, int dim, double[] mean) {
    double[][] cov = new double[dim][dim];
    double[] c = new double[dim];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        c[j] = points[r * dim + j] - mean[j];
      }
      for (int i = 0; i < dim; i++) {
        for (int j = i; j < dim; j++) {
          cov[i][j] += c[i] * c[j];
        }
      }
    }
    double n = Math.max(1, rows - 1);
    for (int i = 0; i < dim; i++) {
      for (int j = i; j < dim; j++) {
        cov[i][j] /= n;
        cov[j][i] = cov[i][j];
      }
    }
    return cov;
  }

  /**
   * The unit eigenvector of the largest eigenvalue of a symmetric positive semi-definite matrix,
   * restricted to the complement of {@code orthogonalTo} when it is given (deflation by projection:
   * each step removes the component along the first vector, which rounding would reintroduce). The
   * sign is chosen so that the largest-magnitude entry is positive, so the picture does not flip
   * between runs on slightly different data.
   */
  static double[] topEigenvector(double[][] m, double[] orthogonalTo) {
    int d = m.length;
    double[] v = new double[d];
    // A fixed, unevenly weighted start: deterministic, and not orthogonal to the answer unless the
    // answer is special (a uniform start is orthogonal to every contrast between coordinates).
    for (int i = 0; i < d; i++) {
      v[i] = 1.0 + (double) i / d;
    }
    removeComponent(v, orthogonalTo);
    if (!normalize(v)) {
      return v;
    }
    double[] next = new double[d];
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += m[i][j] * v[j];
        }
        next[i] = s;
      }
      removeComponent(next, orthogonalTo);
      if (!normalize(next)) {
        // no variance left in this subspace: any unit vector in it is an eigenvector
        break;
      }
      double change = 0;
      for (int i = 0; i < d; i++) {
        change += (next[i] - v[i]) * (next[i] - v[i]);
      }
      System.arraycopy(next, 0, v, 0, d);
      if (change < TOLERANCE * TOLERANCE) {
        break;
      }
    }
    int largest = 0;
    for (int i = 1; i < d; i++) {
      if (Math.abs(v[i]) > Math.abs(v[largest])) {
        largest = i;
      }
    }
    if (v[largest] < 0) {
      for (int i = 0; i < d; i++) {
        v[i] = -v[i];
      }
    }
    return v;
  }

  private static void removeComponent(double[] v, double[] u) {
    if (u == null) {
      return;
    }
    double dot = 0;
    for (int i = 0; i < v.length; i++) {
      dot += v[i] * u[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] -= dot * u[i];
    }
  }

  /** Scales {@code v} to unit length; false when it is (numerically) zero and was left alone. */
  private static boolean normalize(double[] v) {
    double norm = Math.sqrt(Arrays.stream(v).map(a -> a * a).sum());
    if (!(norm > 1e-300)) {
      return false;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= norm;
    }
    return true;
  }

  private static String axisTitle(String name, double[][] cov, double[] v, double total) {
    if (!(total > 0)) {
      return name;
    }
    double explained = 0;
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < v.length; j++) {
        explained += v[i] * cov[i][j] * v[j];
      }
    }
    return name + " (" + Math.round(100 * explained / total) + "% of variance)";
  }
}
