package io.sparkvae.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An immutable in-memory dataset: {@code rows} examples of {@code dim} float features each, packed
 * row-major in one array (row {@code r} is {@code features[r * dim .. (r + 1) * dim)}), with an
 * optional integer label per row.
 *
 * <p>The arrays are shared, not copied, because a training set is hundreds of megabytes: the
 * constructor takes ownership of the arrays it is given, and the accessors return them as they are.
 * Neither side may modify them afterwards. {@link #head} and {@link #slice} copy.
 */
public final class Dataset {

  /** The file names MNIST and Fashion-MNIST share; a {@code .gz} suffix is also accepted. */
  private static final String IMAGES_SUFFIX = "-images-idx3-ubyte";

  private static final String LABELS_SUFFIX = "-labels-idx1-ubyte";

  private final float[] features;
  private final int rows;
  private final int dim;
  private final int[] labels;

  /**
   * Wraps packed features and optional labels, without copying them.
   *
   * @param features {@code rows * dim} values, row-major; owned by the dataset from now on
   * @param rows number of examples, at least 0
   * @param dim number of features per example, at least 1
   * @param labels one label per row, or {@code null} for an unlabelled dataset; owned by the
   *     dataset from now on
   * @throws IllegalArgumentException if {@code rows} or {@code dim} is out of range, or an array
   *     has the wrong length
   * @throws NullPointerException if {@code features} is null
   */
  public Dataset(float[] features, int rows, int dim, int[] labels) {
    if (features == null) {
      throw new NullPointerException("features");
    }
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    // long arithmetic: rows * dim may overflow an int while features.length cannot
    if (features.length != (long) rows * dim) {
      throw new IllegalArgumentException(
          "features has length "
              + features.length
              + ", expected rows * dim = "
              + rows
              + " * "
              + dim
              + " = "
              + ((long) rows * dim));
    }
    if (labels != null && labels.length != rows) {
      throw new IllegalArgumentException(
          "labels has length " + labels.length + ", expected one per row: " + rows);
    }
    this.features = features;
    this.rows = rows;
    this.dim = dim;
    this.labels = labels;
  }

  /**
   * Reads images, and optionally labels, from IDX files of unsigned bytes (plain or gzip), scaling
   * each pixel {@code b} to {@code b / 255f} so that features lie in [0, 1], as Pyro's MNIST VAE
   * example uses them. Each image becomes one row of {@code itemSize} features (784 for 28x28).
   *
   * @param images an IDX file of {@code [count, d1, d2, ...]} unsigned bytes
   * @param labels an IDX file of {@code [count]} unsigned bytes, or {@code null} for no labels
   * @return a dataset of {@code count} rows and {@code d1 * d2 * ...} features
   * @throws IOException if a file cannot be read or is malformed (see {@link IdxFile#read}), if the
   *     labels file is not one-dimensional, or if its count differs from the images'
   */
  public static Dataset fromIdx(Path images, Path labels) throws IOException {
    IdxFile imageFile = IdxFile.read(images);
    int rows = imageFile.count();
    int dim = imageFile.itemSize();

    int[] labelValues = null;
    if (labels != null) {
      IdxFile labelFile = IdxFile.read(labels);
      if (labelFile.dims().length != 1) {
        throw new IOException(
            labels
                + ": labels file must be one-dimensional, but has dimensions "
                + Arrays.toString(labelFile.dims()));
      }
      if (labelFile.count() != rows) {
        throw new IOException(
            "label count mismatch: images file "
                + images
                + " has "
                + rows
                + " items but labels file "
                + labels
                + " has "
                + labelFile.count());
      }
      byte[] raw = labelFile.data();
      labelValues = new int[rows];
      for (int i = 0; i < rows; i++) {
        labelValues[i] = raw[i] & 0xFF;
      }
    }

    byte[] pixels = imageFile.data();
    float[] features = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      // Divide rather than multiply by 1/255f: b / 255f is the correctly rounded value, which is
      // what torchvision's ToTensor (and so the Pyro example) produces.
      features[i] = (pixels[i] & 0xFF) / 255f;
    }
    return new Dataset(features, rows, dim, labelValues);
  }

  /**
   * Reads the MNIST (or Fashion-MNIST, which uses the same file names) training or test split from
   * {@code dir}: {@code train-images-idx3-ubyte} and, when present, {@code train-labels-idx1-ubyte}
   * (a VAE does not need labels; only reports colour by them), or the {@code t10k-} pair when
   * {@code train} is false, each either plain or with a {@code .gz} suffix. Features are scaled to
   * [0, 1] as in {@link #fromIdx}.
   *
   * @param dir the directory holding the files, for example {@code data/mnist}
   * @param train {@code true} for the 60000-image training split, {@code false} for the 10000-image
   *     test split
   * @return the images (784 features each) with their labels (0..9), or none without a labels file
   * @throws IOException if the images file is missing (the message says to run {@code
   *     submit-scripts/fetch-data.sh}), unreadable or malformed
   */
  public static Dataset mnist(Path dir, boolean train) throws IOException {
    String prefix = train ? "train" : "t10k";
    Path images = find(dir, prefix + IMAGES_SUFFIX);
    Path labels = findIfPresent(dir, prefix + LABELS_SUFFIX);
    return fromIdx(images, labels);
  }

  private static Path find(Path dir, String name) throws IOException {
    Path found = findIfPresent(dir, name);
    if (found != null) {
      return found;
    }
    Path plain = dir.resolve(name);
    Path gz = dir.resolve(name + ".gz");
    throw new IOException(
        "dataset file not found: looked for "
            + plain
            + " and "
            + gz
            + "; run submit-scripts/fetch-data.sh to download MNIST and Fashion-MNIST into data/");
  }

  /** The plain or gzipped file of this name in {@code dir}, or null when there is neither. */
  private static Path findIfPresent(Path dir, String name) {
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(name + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  /**
   * The packed features, row-major, {@code rows() * dim()} values. This is the backing array, not a
   * copy: it must not be modified.
   *
   * @return the features array
   */
  public float[] features() {
    return features;
  }

  /**
   * Number of examples.
   *
   * @return the row count, at least 0
   */
  public int rows() {
    return rows;
  }

  /**
   * Number of features per example (784 for 28x28 images).
   *
   * @return the row width, at least 1
   */
  public int dim() {
    return dim;
  }

  /**
   * The label of each row, or {@code null} for an unlabelled dataset. This is the backing array,
   * not a copy: it must not be modified.
   *
   * @return {@code rows()} labels, or {@code null}
   */
  public int[] labels() {
    return labels;
  }

  /**
   * Whether the dataset carries labels.
   *
   * @return {@code labels() != null}
   */
  public boolean hasLabels() {
    return labels != null;
  }

  /**
   * The first {@code n} rows, copied.
   *
   * @param n number of rows, {@code 0 <= n <= rows()}
   * @return a new dataset of {@code n} rows, with labels if this one has them
   * @throws IllegalArgumentException if {@code n} is out of range
   */
  public Dataset head(int n) {
    if (n < 0 || n > rows) {
      throw new IllegalArgumentException("head(" + n + ") out of range for " + rows + " rows");
    }
    return slice(0, n);
  }

  /**
   * Rows {@code from} (inclusive) to {@code to} (exclusive), copied.
   *
   * @param from first row, {@code 0 <= from <= to}
   * @param to one past the last row, {@code from <= to <= rows()}
   * @return a new dataset of {@code to - from} rows, with labels if this one has them
   * @throws IllegalArgumentException if the range is out of bounds or reversed
   */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > rows || from > to) {
      throw new IllegalArgumentException(
          "slice(" + from + ", " + to + ") out of range for " + rows + " rows");
    }
    // long arithmetic is not needed: from, to <= rows and rows * dim == features.length
    float[] f = Arrays.copyOfRange(features, from * dim, to * dim);
    int[] l = labels == null ? null : Arrays.copyOfRange(labels, from, to);
    return new Dataset(f, to - from, dim, l);
  }

  /**
   * Describes the dataset's shape, for logs.
   *
   * @return for example {@code Dataset[rows=60000, dim=784, labelled]}
   */
  @Override
  public String toString() {
    return "Dataset[rows=" + rows + ", dim=" + dim + (labels != null ? ", labelled]" : "]");
  }
}
