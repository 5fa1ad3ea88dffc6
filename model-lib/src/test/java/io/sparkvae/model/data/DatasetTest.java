package io.sparkvae.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

  @TempDir Path dir;

  private static void assertContains(String expected, String message) {
    assertTrue(
        message.contains(expected),
        "expected message to contain \"" + expected + "\" but was: " + message);
  }

  private static Dataset small() {
    float[] f = new float[4 * 3];
    for (int i = 0; i < f.length; i++) {
      f[i] = i;
    }
    return new Dataset(f, 4, 3, new int[] {10, 11, 12, 13});
  }

  // ---- construction ----

  @Test
  void constructorKeepsArraysAndShape() {
    float[] f = new float[6];
    int[] l = {1, 2};
    Dataset d = new Dataset(f, 2, 3, l);
    assertSame(f, d.features());
    assertSame(l, d.labels());
    assertEquals(2, d.rows());
    assertEquals(3, d.dim());
    assertTrue(d.hasLabels());
  }

  @Test
  void unlabelledDataset() {
    Dataset d = new Dataset(new float[6], 3, 2, null);
    assertFalse(d.hasLabels());
    assertNull(d.labels());
    assertNull(d.head(1).labels());
  }

  @Test
  void constructorValidatesLengths() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[5], 2, 3, null));
    assertContains("features has length 5, expected rows * dim = 2 * 3 = 6", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new Dataset(new float[6], 2, 3, new int[3]));
    assertContains("labels has length 3, expected one per row: 2", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[0], -1, 3, null));
    assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[0], 0, 0, null));
    assertThrows(NullPointerException.class, () -> new Dataset(null, 0, 1, null));
  }

  // ---- head / slice ----

  @Test
  void headCopiesFirstRows() {
    Dataset d = small();
    Dataset h = d.head(2);
    assertEquals(2, h.rows());
    assertEquals(3, h.dim());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, h.features());
    assertArrayEquals(new int[] {10, 11}, h.labels());
    h.features()[0] = 99; // a copy: the original must not see it
    assertEquals(0f, d.features()[0]);
    assertEquals(0, d.head(0).rows());
    assertEquals(4, d.head(4).rows());
    assertThrows(IllegalArgumentException.class, () -> d.head(5));
    assertThrows(IllegalArgumentException.class, () -> d.head(-1));
  }

  @Test
  void sliceCopiesRowRange() {
    Dataset d = small();
    Dataset s = d.slice(1, 3);
    assertEquals(2, s.rows());
    assertArrayEquals(new float[] {3, 4, 5, 6, 7, 8}, s.features());
    assertArrayEquals(new int[] {11, 12}, s.labels());
    assertEquals(0, d.slice(4, 4).rows());
    assertThrows(IllegalArgumentException.class, () -> d.slice(3, 2));
    assertThrows(IllegalArgumentException.class, () -> d.slice(-1, 2));
    assertThrows(IllegalArgumentException.class, () -> d.slice(0, 5));
  }

  // ---- fromIdx ----

  @Test
  void scalesUnsignedBytesToUnitInterval() throws IOException {
    byte[] pixels = {0, (byte) 255, (byte) 128, 1, 127, (byte) 200};
    Path images = Files.write(dir.resolve("img"), IdxFileTest.idx(new int[] {2, 3}, pixels));
    Dataset d = Dataset.fromIdx(images, null);
    assertEquals(2, d.rows());
    assertEquals(3, d.dim());
    assertFalse(d.hasLabels());
    float[] f = d.features();
    assertEquals(0f, f[0]);
    assertEquals(1f, f[1]);
    assertEquals(128 / 255f, f[2]);
    assertEquals(1 / 255f, f[3]);
    assertEquals(127 / 255f, f[4]);
    assertEquals(200 / 255f, f[5]);
  }

  @Test
  void readsLabelsAsUnsigned() throws IOException {
    Path images =
        Files.write(
            dir.resolve("img.gz"),
            IdxFileTest.gzip(IdxFileTest.idx(new int[] {3, 2, 2}, new byte[12])));
    Path labels =
        Files.write(
            dir.resolve("lbl"), IdxFileTest.idx(new int[] {3}, new byte[] {0, 9, (byte) 250}));
    Dataset d = Dataset.fromIdx(images, labels);
    assertEquals(4, d.dim());
    assertArrayEquals(new int[] {0, 9, 250}, d.labels());
  }

  @Test
  void labelCountMismatchNamesBothFilesAndCounts() throws IOException {
    Path images =
        Files.write(dir.resolve("images-idx3"), IdxFileTest.idx(new int[] {3, 2, 2}, new byte[12]));
    Path labels =
        Files.write(dir.resolve("labels-idx1"), IdxFileTest.idx(new int[] {2}, new byte[2]));
    IOException e = assertThrows(IOException.class, () -> Dataset.fromIdx(images, labels));
    assertContains(
        "label count mismatch: images file "
            + images
            + " has 3 items but labels file "
            + labels
            + " has 2",
        e.getMessage());
  }

  @Test
  void labelsMustBeOneDimensional() throws IOException {
    Path images = Files.write(dir.resolve("i"), IdxFileTest.idx(new int[] {2, 2}, new byte[4]));
    Path labels = Files.write(dir.resolve("l"), IdxFileTest.idx(new int[] {2, 1}, new byte[2]));
    IOException e = assertThrows(IOException.class, () -> Dataset.fromIdx(images, labels));
    assertContains(labels + ": labels file must be one-dimensional", e.getMessage());
  }

  // ---- mnist(dir, train) on synthetic files ----

  @Test
  void mnistFindsPlainAndGzipFiles() throws IOException {
    Files.write(
        dir.resolve("t10k-images-idx3-ubyte.gz"),
        IdxFileTest.gzip(IdxFileTest.idx(new int[] {2, 28, 28}, new byte[2 * 784])));
    Files.write(
        dir.resolve("t10k-labels-idx1-ubyte"), IdxFileTest.idx(new int[] {2}, new byte[] {7, 2}));
    Dataset d = Dataset.mnist(dir, false);
    assertEquals(2, d.rows());
    assertEquals(784, d.dim());
    assertArrayEquals(new int[] {7, 2}, d.labels());
  }

  @Test
  void mnistWithoutLabelFilesLoadsTheImagesAlone() throws IOException {
    Files.write(
        dir.resolve("train-images-idx3-ubyte"),
        IdxFileTest.idx(new int[] {3, 28, 28}, new byte[3 * 784]));
    Dataset d = Dataset.mnist(dir, true);
    assertEquals(3, d.rows());
    assertNull(d.labels(), "a VAE needs no labels");
  }

  @Test
  void mnistMissingFilesSayToFetchData() {
    IOException e = assertThrows(IOException.class, () -> Dataset.mnist(dir, true));
    assertContains(dir.resolve("train-images-idx3-ubyte").toString(), e.getMessage());
    assertContains("run submit-scripts/fetch-data.sh", e.getMessage());
  }

  // ---- the real data sets (must be present: these fail, never skip, when they are not) ----

  private static Path realDataDir(String name) {
    String root = System.getProperty("sparkvae.data.dir");
    assertNotNull(
        root,
        "system property sparkvae.data.dir is not set (surefire sets it to the"
            + " project's data/ directory); run submit-scripts/fetch-data.sh to download the data");
    Path d = Path.of(root, name);
    assertTrue(
        Files.isDirectory(d),
        d
            + " does not exist: run submit-scripts/fetch-data.sh to download MNIST and Fashion-MNIST");
    return d;
  }

  private static void checkSplit(Dataset d, int rows, int[] firstLabels, int[] perClass) {
    assertEquals(rows, d.rows());
    assertEquals(28 * 28, d.dim());
    assertTrue(d.hasLabels());
    int[] counts = new int[10];
    for (int label : d.labels()) {
      assertTrue(label >= 0 && label <= 9, "label out of 0..9: " + label);
      counts[label]++;
    }
    if (perClass != null) {
      assertArrayEquals(perClass, counts);
    }
    for (int i = 0; i < firstLabels.length; i++) {
      assertEquals(firstLabels[i], d.labels()[i], "label " + i);
    }
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : d.features()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void realMnistTrain() throws IOException {
    Path mnist = realDataDir("mnist");
    IdxFile images = IdxFile.read(mnist.resolve("train-images-idx3-ubyte"));
    assertArrayEquals(new int[] {60000, 28, 28}, images.dims());
    checkSplit(
        Dataset.mnist(mnist, true),
        60000,
        new int[] {5, 0, 4, 1, 9},
        new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  }

  @Test
  void realMnistTest() throws IOException {
    Path mnist = realDataDir("mnist");
    IdxFile images = IdxFile.read(mnist.resolve("t10k-images-idx3-ubyte"));
    assertArrayEquals(new int[] {10000, 28, 28}, images.dims());
    checkSplit(
        Dataset.mnist(mnist, false),
        10000,
        new int[] {7, 2, 1, 0, 4},
        new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
  }

  @Test
  void realFashionMnistTrainGz() throws IOException {
    Path fashion = realDataDir("fashion-mnist");
    IdxFile images = IdxFile.read(fashion.resolve("train-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {60000, 28, 28}, images.dims());
    IdxFile labels = IdxFile.read(fashion.resolve("train-labels-idx1-ubyte.gz"));
    assertArrayEquals(new int[] {60000}, labels.dims());
    int[] perClass = new int[10];
    Arrays.fill(perClass, 6000);
    checkSplit(Dataset.mnist(fashion, true), 60000, new int[] {9}, perClass);
  }

  @Test
  void realFashionMnistTestGz() throws IOException {
    Path fashion = realDataDir("fashion-mnist");
    IdxFile images = IdxFile.read(fashion.resolve("t10k-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {10000, 28, 28}, images.dims());
    int[] perClass = new int[10];
    Arrays.fill(perClass, 1000);
    checkSplit(Dataset.mnist(fashion, false), 10000, new int[] {9}, perClass);
  }
}
