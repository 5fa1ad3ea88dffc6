package io.sparkvae.spark.report;

import ai.djl.Device;
import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.publish.LocalStorage;
import io.sparkvae.model.publish.Publisher;
import io.sparkvae.model.vae.VaeInference;
import io.sparkvae.spark.train.EpochMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;

/**
 * The report a training job writes into a folder, for people who would rather look than read: PNG
 * pictures and one self-contained {@code index.html} that shows them with the final metrics and the
 * configuration.
 *
 * <ul>
 *   <li>{@value #LEARNING_CURVE}: training objective and validation negative ELBO (nats per
 *       example) per epoch; always written, unless no epoch has a finite loss.
 *   <li>{@value #RECONSTRUCTIONS}: up to 16 test images, each beside its reconstruction (decoder
 *       mean at the posterior mean); when the features are images and test images are given.
 *   <li>{@value #SAMPLES}: an 8x8 grid of decoder means of {@code z ~ N(0, I)}, seeded; when the
 *       features are images (it needs the model only, not the test images).
 *   <li>{@value #LATENT}: the posterior means of up to 5000 test rows on a plane (the latent
 *       coordinates themselves when the latent space has two dimensions, else its top two principal
 *       components), one colour per label, as in Pyro's VAE tutorial; when test rows are given.
 *   <li>{@value #INDEX}: the page, referring to exactly the pictures written.
 * </ul>
 *
 * <p>The report is built in a hidden temporary sibling of the target folder and renamed into place,
 * replacing a previous report as a whole: a reader sees the old report or the new one, never a
 * mixture, and a failure leaves the old one (and no temporary folder) behind. Concurrent writers to
 * the same folder are not supported.
 *
 * <p>Inference runs on the CPU in batches of at most {@value #BATCH_ROWS} rows. Pictures are drawn
 * with AWT, headless unless the JVM was told otherwise.
 */
public final class TrainingReport {
  static {
    // AWT reads this once, when it first initialises; a training driver on a cluster node has no
    // display, and without the property the first chart would try to open one and fail.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** The learning curve's file name. */
  public static final String LEARNING_CURVE = "learning_curve.png";

  /** The reconstructions' file name. */
  public static final String RECONSTRUCTIONS = "reconstructions.png";

  /** The prior samples' file name. */
  public static final String SAMPLES = "samples.png";

  /** The latent scatter's file name. */
  public static final String LATENT = "latent.png";

  /** The page's file name. */
  public static final String INDEX = "index.html";

  /** Rows per encode or decode call: bounds native memory whatever the test set's size. */
  static final int BATCH_ROWS = 1024;

  /** Points in the latent scatter: more only hide each other. */
  static final int LATENT_POINTS = 5000;

  static final int PAIRS = 16;
  static final int PAIR_COLUMNS = 4;
  static final int SAMPLE_COLUMNS = 8;
  static final int SAMPLE_COUNT = SAMPLE_COLUMNS * SAMPLE_COLUMNS;

  /** A tile's longer side is scaled to about this many pixels (3x for 28x28 images). */
  private static final int TILE_PIXELS = 84;

  private static final int CHART_WIDTH = 800;
  private static final int CURVE_HEIGHT = 500;
  private static final int SCATTER_HEIGHT = 650;

  private TrainingReport() {}

  /**
   * Writes the report of a training run into {@code dir}, replacing any report already there.
   *
   * @param dir the report folder; created with its parents; an existing folder is replaced
   * @param model the trained model
   * @param history one entry per epoch, in order; at least one
   * @param testImages held-out rows of {@code inputDim} features in [0, 1], labels optional; or
   *     {@code null} for a report without reconstructions and latent plot
   * @param imageWidth width of an image when the features are images (28 for MNIST), else 0
   * @param imageHeight height of an image (28 for MNIST), else 0
   * @param seed seeds the prior samples, so the same model gives the same picture
   * @throws IllegalArgumentException if {@code history} is empty, the image size is neither 0x0 nor
   *     a factorization of {@code inputDim}, or the test rows do not have {@code inputDim} features
   * @throws IOException if a file cannot be written or the folder cannot be replaced (it is then
   *     left as it was), or {@code dir} exists and is not a folder
   */
  public static void write(
      Path dir,
      TrainedVae model,
      List<EpochMetrics> history,
      Dataset testImages,
      int imageWidth,
      int imageHeight,
      long seed)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(history, "history");
    VaeConfig config = model.config();
    if (history.isEmpty()) {
      throw new IllegalArgumentException("history is empty: the report needs at least one epoch");
    }
    boolean images = imageWidth != 0 || imageHeight != 0;
    if (images
        && (imageWidth < 1
            || imageHeight < 1
            || (long) imageWidth * imageHeight != config.inputDim())) {
      throw new IllegalArgumentException(
          "imageWidth x imageHeight = "
              + imageWidth
              + "x"
              + imageHeight
              + " must be 0x0 (features that are not images) or have inputDim = "
              + config.inputDim()
              + " pixels");
    }
    if (testImages != null && testImages.dim() != config.inputDim()) {
      throw new IllegalArgumentException(
          "testImages has "
              + testImages.dim()
              + " features per row but the model's inputDim is "
              + config.inputDim());
    }
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    if (parent == null || target.getFileName() == null) {
      throw new IllegalArgumentException("dir must name a folder below a parent: " + dir);
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(target + " exists and is not a folder; not replacing it by a report");
    }
    // The one publication algorithm (model-lib's Publisher): a replaced report is deleted only once
    // the new one is in place, and a crash between the renames is recovered by the next write.
    LocalStorage.publisher()
        .publish(
            target,
            Publisher.Existing.replace(),
            staging -> {
              Files.createDirectory(staging);
              render(
                  staging,
                  model,
                  history,
                  testImages,
                  images ? imageWidth : 0,
                  images ? imageHeight : 0,
                  seed);
            });
  }

  private static void render(
      Path out,
      TrainedVae model,
      List<EpochMetrics> history,
      Dataset test,
      int width,
      int height,
      long seed)
      throws IOException {
    List<ReportPage.Figure> figures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    XYChart curve = Charts.learningCurve(history, CHART_WIDTH, CURVE_HEIGHT);
    if (curve != null) {
      BitmapEncoder.saveBitmap(curve, out.resolve(LEARNING_CURVE).toString(), BitmapFormat.PNG);
      boolean validated = history.stream().anyMatch(m -> Double.isFinite(m.valNegElbo()));
      figures.add(
          new ReportPage.Figure(
              LEARNING_CURVE,
              "Learning curve",
              "The training objective (the mean over each epoch's minibatches; it is the negative"
                  + " ELBO when beta is 1 and there is no KL warm-up)"
                  + (validated ? " and the validation negative ELBO after each epoch" : "")
                  + ", in nats per example. Lower is better; curves that flatten mean training has"
                  + " converged"
                  + (validated
                      ? ", and a validation curve that rises while the training curve falls"
                          + " means over-fitting."
                      : ". No validation set was given."),
              CHART_WIDTH,
              CURVE_HEIGHT,
              false));
    } else {
      notes.add("No epoch has a finite loss (training diverged), so there is no learning curve.");
    }

    boolean haveTest = test != null && test.rows() > 0;
    boolean images = width > 0;
    if (!images && !haveTest) {
      notes.add(
          "No test rows were given and the features are not images, so the report has no"
              + " pictures of the model itself.");
    } else {
      try (VaeInference vae = new VaeInference(model.config(), model.params(), Device.cpu())) {
        int scale = images ? Math.max(1, TILE_PIXELS / Math.max(width, height)) : 1;
        if (images && haveTest) {
          figures.add(reconstructions(out, vae, test, width, height, scale));
        }
        if (images) {
          figures.add(samples(out, vae, width, height, scale, seed));
        }
        if (haveTest) {
          ReportPage.Figure latent = latent(out, vae, test);
          if (latent != null) {
            figures.add(latent);
          } else {
            notes.add(
                "Every posterior mean of the test rows is NaN or infinite, so there is no"
                    + " latent plot.");
          }
        }
      }
      if (images && !haveTest) {
        notes.add(
            "No test images were given, so there are no reconstructions and no latent" + " plot.");
      }
      if (!images) {
        notes.add(
            "The features are not images, so there are no reconstructions or samples to"
                + " show.");
      }
    }
    ReportPage.write(out.resolve(INDEX), model, history, figures, notes);
  }

  private static ReportPage.Figure reconstructions(
      Path out, VaeInference vae, Dataset test, int width, int height, int scale)
      throws IOException {
    int n = Math.min(PAIRS, test.rows());
    float[] x = rows(test, spread(n, test.rows()));
    float[] recon = vae.reconstruct(x, n);
    BufferedImage img =
        ImageGrid.pairs(
            x, recon, n, width, height, PAIR_COLUMNS, scale, Math.max(1, scale), 4 * scale);
    savePng(img, out.resolve(RECONSTRUCTIONS));
    return new ReportPage.Figure(
        RECONSTRUCTIONS,
        "Reconstructions",
        n
            + " test images (left of each pair) beside their reconstructions (right): the"
            + " decoder's mean at the posterior mean of each image. Faithful copies mean the"
            + " latent code keeps what the image shows; blurred ones are typical of a VAE.",
        img.getWidth(),
        img.getHeight(),
        true);
  }

  private static ReportPage.Figure samples(
      Path out, VaeInference vae, int width, int height, int scale, long seed) throws IOException {
    int latent = vae.config().latentDim();
    SplittableRandom rng = new SplittableRandom(seed);
    float[] z = new float[SAMPLE_COUNT * latent];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) rng.nextGaussian();
    }
    float[] means = vae.decodeMean(z, SAMPLE_COUNT);
    BufferedImage img =
        ImageGrid.tiles(
            means, SAMPLE_COUNT, width, height, SAMPLE_COLUMNS, scale, Math.max(2, scale));
    savePng(img, out.resolve(SAMPLES));
    return new ReportPage.Figure(
        SAMPLES,
        "Samples from the prior",
        SAMPLE_COUNT
            + " images decoded from latent codes drawn from the prior N(0, I) (decoder"
            + " means, seed "
            + seed
            + "): what the model has learned to generate. Shapes that"
            + " look like the data mean the prior and the posteriors agree; smudges come from"
            + " regions of the latent space no training image maps to.",
        img.getWidth(),
        img.getHeight(),
        true);
  }

  /** The latent scatter, or null when no posterior mean is finite. */
  private static ReportPage.Figure latent(Path out, VaeInference vae, Dataset test)
      throws IOException {
    int latent = vae.config().latentDim();
    int n = Math.min(LATENT_POINTS, test.rows());
    int[] picked = spread(n, test.rows());
    float[] means = new float[n * latent];
    for (int start = 0; start < n; start += BATCH_ROWS) {
      int b = Math.min(BATCH_ROWS, n - start);
      float[] x = rows(test, Arrays.copyOfRange(picked, start, start + b));
      System.arraycopy(vae.encode(x, b).mean(), 0, means, start * latent, b * latent);
    }
    int[] labels = null;
    if (test.hasLabels()) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = test.labels()[picked[i]];
      }
    }
    LatentPlane plane = LatentPlane.of(finiteRowsOrNaN(means, n, latent), n, latent);
    String title = "Latent space: posterior means of " + n + " test " + (n == 1 ? "row" : "rows");
    XYChart chart = Charts.latentScatter(plane, labels, title, CHART_WIDTH, SCATTER_HEIGHT);
    if (chart == null) {
      return null;
    }
    BitmapEncoder.saveBitmap(chart, out.resolve(LATENT).toString(), BitmapFormat.PNG);
    boolean coloured =
        labels != null && Arrays.stream(labels).distinct().count() <= Charts.MAX_LABEL_SERIES;
    return new ReportPage.Figure(
        LATENT,
        "Latent space",
        "The posterior means of "
            + n
            + " test rows"
            + (n < test.rows() ? " (spread evenly over the " + test.rows() + ")" : "")
            + ", laid on a plane by "
            + plane.method()
            + (coloured
                ? ", one colour per label. The model never saw a label: clusters of one"
                    + " colour mean the latent space separates the classes on its own, as in Pyro's"
                    + " VAE tutorial."
                : ". Clusters show structure the model found in the data."),
        CHART_WIDTH,
        SCATTER_HEIGHT,
        false);
  }

  /**
   * The means with every row that holds a non-finite value set wholly to NaN, so that such a row is
   * dropped from the plot instead of poisoning the principal components of the others.
   */
  private static float[] finiteRowsOrNaN(float[] means, int rows, int dim) {
    float[] clean = means.clone();
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        if (!Float.isFinite(clean[r * dim + j])) {
          Arrays.fill(clean, r * dim, (r + 1) * dim, Float.NaN);
          break;
        }
      }
    }
    return clean;
  }

  /** {@code n} row indices spread over {@code rows}: a test set sorted by label shows each. */
  static int[] spread(int n, int rows) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = (int) ((long) i * rows / n);
    }
    return idx;
  }

  private static float[] rows(Dataset data, int[] idx) {
    int dim = data.dim();
    float[] x = new float[idx.length * dim];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(data.features(), idx[i] * dim, x, i * dim, dim);
    }
    return x;
  }

  private static void savePng(BufferedImage img, Path file) throws IOException {
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer in this JVM's ImageIO, cannot write " + file);
    }
  }
}
