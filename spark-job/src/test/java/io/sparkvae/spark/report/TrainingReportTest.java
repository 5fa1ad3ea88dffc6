package io.sparkvae.spark.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.model.config.VaeConfig;
import io.sparkvae.model.data.Dataset;
import io.sparkvae.model.format.TrainedVae;
import io.sparkvae.model.vae.ParamInit;
import io.sparkvae.model.vae.ParamLayout;
import io.sparkvae.spark.train.EpochMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainingReportTest {
  static final int SIDE = 28;
  static final int DIM = SIDE * SIDE;
  static final Set<String> ALL_FILES =
      Set.of(
          TrainingReport.LEARNING_CURVE,
          TrainingReport.RECONSTRUCTIONS,
          TrainingReport.SAMPLES,
          TrainingReport.LATENT,
          TrainingReport.INDEX);
  static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path tmp;

  static TrainedVae model(int latent) {
    VaeConfig config =
        VaeConfig.builder()
            .inputDim(DIM)
            .encoderHidden(20)
            .decoderHidden(20)
            .latentDim(latent)
            .seed(11)
            .build();
    float[] params = ParamInit.initialize(ParamLayout.of(config), config.seed());
    return new TrainedVae(config, params, Map.of("test_neg_elbo", "543.21 <nats>"));
  }

  /** Images of a bright bar whose column depends on the label, over faint noise. */
  static Dataset images(int n, boolean labelled, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * DIM];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int label = i % 10;
      labels[i] = label;
      for (int y = 0; y < SIDE; y++) {
        for (int c = 0; c < SIDE; c++) {
          boolean bar = y >= 4 && y < 24 && c >= 3 + 2 * label && c < 6 + 2 * label;
          x[i * DIM + y * SIDE + c] =
              bar ? (float) r.nextDouble(0.8, 1.0) : (float) r.nextDouble(0.0, 0.1);
        }
      }
    }
    return new Dataset(x, n, DIM, labelled ? labels : null);
  }

  static List<EpochMetrics> history(boolean validation) {
    double nan = Double.NaN;
    return List.of(
        new EpochMetrics(1, 210.5, validation ? 205.25 : nan, 1500.0, 2.0, 0.25, 10, 3000, 10),
        new EpochMetrics(2, 170.125, validation ? 168.5 : nan, 1800.0, 1.5, 0.25, 10, 3000, 20),
        new EpochMetrics(3, 150.75, validation ? 152.375 : nan, 1987.6, 1.25, 0.25, 10, 3000, 30));
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 2})
  void writesEveryPictureAndAPageReferringToThem(int latent) throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(latent), history(true), images(200, true, 1), SIDE, SIDE, 7);

    assertEquals(ALL_FILES, names(dir));
    for (String f : ALL_FILES) {
      if (f.endsWith(".png")) {
        checkPng(dir.resolve(f), 200);
      }
    }
    String html = Files.readString(dir.resolve(TrainingReport.INDEX), StandardCharsets.UTF_8);
    assertEquals(
        Set.of(
            TrainingReport.LEARNING_CURVE,
            TrainingReport.RECONSTRUCTIONS,
            TrainingReport.SAMPLES,
            TrainingReport.LATENT),
        imageSources(html));
    for (String metric : List.of("150.75", "152.38", "1987.6", "1894.7")) {
      assertTrue(html.contains(metric), "the page shows " + metric);
    }
    assertTrue(html.contains("<th>Epochs</th><td class=\"num\">3</td>"), html);
    assertTrue(html.contains("<th>latentDim</th><td>" + latent + "</td>"), "config table");
    assertTrue(html.contains("[20]"), "int arrays of the config are shown as lists");
    assertTrue(html.contains("543.21 &lt;nats&gt;"), "metadata is shown escaped");
    assertFalse(html.contains("<script"), "no script");
    assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no external resource");
    assertTrue(
        html.contains(latent == 2 ? "two latent coordinates" : "principal components"),
        "how the plane was made");
  }

  @Test
  void reconstructionTilesShowTheTestImageAndTheDecoderOutput() throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(true), images(200, true, 1), SIDE, SIDE, 7);
    BufferedImage img = ImageIO.read(dir.resolve(TrainingReport.RECONSTRUCTIONS).toFile());
    int scale = 3;
    int gap = 4 * scale;
    int tile = SIDE * scale;
    // first pair: the test image at (gap, gap), its reconstruction one tile and a pairGap right
    assertTrue(variance(img, gap, gap, tile, tile) > 100, "the test image has a bar on noise");
    assertTrue(
        variance(img, gap + tile + scale, gap, tile, tile) > 0, "the reconstruction is not flat");
    BufferedImage samples = ImageIO.read(dir.resolve(TrainingReport.SAMPLES).toFile());
    assertEquals(scale + 8 * (tile + scale), samples.getWidth(), "8 tiles of 3x scale");
  }

  @Test
  void withoutTestImagesOnlyTheCurveAndThePage() throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(true), null, 0, 0, 7);
    assertEquals(Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.INDEX), names(dir));
    checkPng(dir.resolve(TrainingReport.LEARNING_CURVE), 200);
    String html = Files.readString(dir.resolve(TrainingReport.INDEX));
    assertEquals(Set.of(TrainingReport.LEARNING_CURVE), imageSources(html));
    for (String missing :
        List.of(TrainingReport.RECONSTRUCTIONS, TrainingReport.SAMPLES, TrainingReport.LATENT)) {
      assertFalse(html.contains(missing), "no reference to " + missing);
    }

    // images but no test set: samples need the model only
    Path imagesDir = tmp.resolve("other").resolve("report");
    TrainingReport.write(imagesDir, model(5), history(true), null, SIDE, SIDE, 7);
    assertEquals(
        Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.SAMPLES, TrainingReport.INDEX),
        names(imagesDir));
    assertEquals(
        Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.SAMPLES),
        imageSources(Files.readString(imagesDir.resolve(TrainingReport.INDEX))));
    checkPng(imagesDir.resolve(TrainingReport.SAMPLES), 200);
  }

  @Test
  void featuresThatAreNotImagesGetTheLatentPlotOnly() throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(true), images(300, false, 2), 0, 0, 7);
    assertEquals(
        Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.LATENT, TrainingReport.INDEX),
        names(dir));
    checkPng(dir.resolve(TrainingReport.LATENT), 200);
    assertEquals(
        Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.LATENT),
        imageSources(Files.readString(dir.resolve(TrainingReport.INDEX))));
  }

  @Test
  void withoutValidationTheCurveHasTrainingOnly() throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(false).subList(0, 1), null, 0, 0, 7);
    checkPng(dir.resolve(TrainingReport.LEARNING_CURVE), 200);
    String html = Files.readString(dir.resolve(TrainingReport.INDEX));
    assertTrue(html.contains("no validation set"), html);
    assertFalse(html.contains("NaN"), html);
    assertTrue(html.contains("210.50"), html);
  }

  @Test
  void writingAgainReplacesTheReportAndLeavesNothingBehind() throws IOException {
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(true), images(200, true, 1), SIDE, SIDE, 7);
    Files.writeString(dir.resolve("stale.txt"), "from an older run");
    List<EpochMetrics> longer =
        Stream.concat(
                history(true).stream(),
                Stream.of(new EpochMetrics(4, 140.5, 141.25, 2000.0, 1.0, 0.2, 10, 3000, 40)))
            .toList();

    TrainingReport.write(dir, model(5), longer, null, 0, 0, 7);

    assertEquals(Set.of("report"), names(tmp), "no temporary folder remains");
    assertEquals(Set.of(TrainingReport.LEARNING_CURVE, TrainingReport.INDEX), names(dir));
    String html = Files.readString(dir.resolve(TrainingReport.INDEX));
    assertTrue(html.contains("141.25"), "the new report");
    assertTrue(html.contains("<th>Epochs</th><td class=\"num\">4</td>"), html);
  }

  @Test
  void theReportFolderIsAsReadableAsAnyOtherFolder() throws IOException {
    Assumptions.assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX only");
    Path reference = Files.createDirectory(tmp.resolve("reference"));
    Path dir = tmp.resolve("report");
    TrainingReport.write(dir, model(5), history(true), null, 0, 0, 7);
    assertEquals(
        Files.getPosixFilePermissions(reference),
        Files.getPosixFilePermissions(dir),
        "not the owner-only permissions of a temporary folder");
  }

  @Test
  void theSameSeedGivesTheSamePictures() throws IOException {
    TrainingReport.write(
        tmp.resolve("a"), model(5), history(true), images(200, true, 1), SIDE, SIDE, 7);
    TrainingReport.write(
        tmp.resolve("b"), model(5), history(true), images(200, true, 1), SIDE, SIDE, 7);
    for (String f : List.of(TrainingReport.SAMPLES, TrainingReport.RECONSTRUCTIONS)) {
      assertArrayEquals(
          Files.readAllBytes(tmp.resolve("a").resolve(f)),
          Files.readAllBytes(tmp.resolve("b").resolve(f)),
          f);
    }
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingIsWritten() throws IOException {
    Path dir = tmp.resolve("report");
    IllegalArgumentException size =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingReport.write(dir, model(5), history(true), null, 28, 27, 7));
    assertTrue(size.getMessage().contains("28x27"), size.getMessage());
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingReport.write(dir, model(5), List.of(), null, 0, 0, 7));
    assertTrue(empty.getMessage().contains("history"), empty.getMessage());
    Dataset narrow = new Dataset(new float[10 * 3], 10, 3, null);
    IllegalArgumentException dim =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingReport.write(dir, model(5), history(true), narrow, 0, 0, 7));
    assertTrue(dim.getMessage().contains("inputDim is 784"), dim.getMessage());
    assertFalse(Files.exists(dir));
    assertEquals(Set.of(), names(tmp));
  }

  @Test
  void aFileInTheWayIsNotReplaced() throws IOException {
    Path file = tmp.resolve("report");
    Files.writeString(file, "not a folder");
    assertThrows(
        IOException.class,
        () -> TrainingReport.write(file, model(5), history(true), null, 0, 0, 7));
    assertEquals("not a folder", Files.readString(file));
    assertEquals(Set.of("report"), names(tmp));
  }

  @Test
  void principalComponentsFollowTheSpreadOfThePoints() {
    // points spread 10 along (1,1,0,0)/sqrt2, 3 along (0,0,1,0) and 0.1 along (0,0,0,1)
    SplittableRandom r = new SplittableRandom(5);
    int n = 2000;
    int dim = 4;
    float[] p = new float[n * dim];
    for (int i = 0; i < n; i++) {
      double a = 10 * r.nextGaussian();
      double b = 3 * r.nextGaussian();
      double c = 0.1 * r.nextGaussian();
      p[i * dim] = (float) (a / Math.sqrt(2) + 5);
      p[i * dim + 1] = (float) (a / Math.sqrt(2) - 5);
      p[i * dim + 2] = (float) b;
      p[i * dim + 3] = (float) c;
    }
    double[] mean = new double[dim];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dim; j++) {
        mean[j] += p[i * dim + j] / n;
      }
    }
    double[][] cov = LatentPlane.covariance(p, n, dim, mean);
    double[] pc1 = LatentPlane.topEigenvector(cov, null);
    double[] pc2 = LatentPlane.topEigenvector(cov, pc1);
    assertEquals(1 / Math.sqrt(2), pc1[0], 0.01);
    assertEquals(1 / Math.sqrt(2), pc1[1], 0.01);
    assertEquals(1.0, pc2[2], 0.01);
    assertEquals(0.0, dot(pc1, pc2), 1e-9, "orthogonal");

    LatentPlane plane = LatentPlane.of(p, n, dim);
    assertTrue(plane.xTitle().startsWith("PC1 (9"), plane.xTitle()); // 100 / 109.01 of the variance
    assertEquals(10.0, std(plane.x()), 0.5);
    assertEquals(3.0, std(plane.y()), 0.2);
    LatentPlane again = LatentPlane.of(p, n, dim);
    assertArrayEquals(plane.x(), again.x(), "deterministic");
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double std(double[] v) {
    double m = Arrays.stream(v).average().orElse(0);
    return Math.sqrt(Arrays.stream(v).map(a -> (a - m) * (a - m)).sum() / (v.length - 1));
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Every {@code <img src>} of the page, each checked to be a file of the report. */
  private static Set<String> imageSources(String html) {
    Set<String> src = new TreeSet<>();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      src.add(m.group(1));
    }
    return src;
  }

  private static void checkPng(Path file, int minSide) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(bytes.length > 2048, file + " has " + bytes.length + " bytes");
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8), file + " starts like a PNG");
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotNull(img, file + " is readable");
    assertTrue(img.getWidth() >= minSide && img.getWidth() <= 3000, "width " + img.getWidth());
    assertTrue(img.getHeight() >= minSide && img.getHeight() <= 3000, "height " + img.getHeight());
    assertTrue(variance(img, 0, 0, img.getWidth(), img.getHeight()) > 0, file + " is not blank");
  }

  /** Variance of the grey level (mean of R, G, B) over a rectangle. */
  private static double variance(BufferedImage img, int x0, int y0, int w, int h) {
    double sum = 0;
    double sq = 0;
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        int rgb = img.getRGB(x, y);
        double g = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3.0;
        sum += g;
        sq += g * g;
      }
    }
    double n = (double) w * h;
    return sq / n - (sum / n) * (sum / n);
  }
}
