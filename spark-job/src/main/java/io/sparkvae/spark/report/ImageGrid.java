package io.sparkvae.spark.report;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * Grey-level images tiled into one picture: values in [0, 1] become grey levels 0 (black) to 255
 * (white), so MNIST digits show white on black as in Pyro's tutorial; each pixel is drawn as a
 * {@code scale x scale} block so that 28x28 images can be seen; tiles are separated by white gaps.
 * Values outside [0, 1] (the mean of a Gaussian decoder) are clamped, and NaN is drawn black.
 */
final class ImageGrid {
  /** White between tiles. */
  private static final int BACKGROUND = 255;

  private ImageGrid() {}

  /**
   * {@code count} images of {@code width x height} values, packed row-major one after another, in
   * rows of {@code columns} tiles separated by {@code gap} pixels.
   */
  static BufferedImage tiles(
      float[] images, int count, int width, int height, int columns, int scale, int gap) {
    check(images, count, width, height);
    int cols = Math.max(1, Math.min(columns, count));
    int rows = Math.max(1, (count + cols - 1) / cols);
    int tileW = width * scale;
    int tileH = height * scale;
    BufferedImage img = blank(gap + cols * (tileW + gap), gap + rows * (tileH + gap));
    WritableRaster raster = img.getRaster();
    for (int i = 0; i < count; i++) {
      int x0 = gap + (i % cols) * (tileW + gap);
      int y0 = gap + (i / cols) * (tileH + gap);
      draw(raster, x0, y0, images, i * width * height, width, height, scale);
    }
    return img;
  }

  /**
   * {@code count} pairs, the image from {@code left} beside the one from {@code right} ({@code
   * pairGap} pixels apart), in rows of {@code columns} pairs {@code gap} pixels apart.
   */
  static BufferedImage pairs(
      float[] left,
      float[] right,
      int count,
      int width,
      int height,
      int columns,
      int scale,
      int pairGap,
      int gap) {
    check(left, count, width, height);
    check(right, count, width, height);
    int cols = Math.max(1, Math.min(columns, count));
    int rows = Math.max(1, (count + cols - 1) / cols);
    int tileW = width * scale;
    int tileH = height * scale;
    int pairW = 2 * tileW + pairGap;
    BufferedImage img = blank(gap + cols * (pairW + gap), gap + rows * (tileH + gap));
    WritableRaster raster = img.getRaster();
    for (int i = 0; i < count; i++) {
      int x0 = gap + (i % cols) * (pairW + gap);
      int y0 = gap + (i / cols) * (tileH + gap);
      int offset = i * width * height;
      draw(raster, x0, y0, left, offset, width, height, scale);
      draw(raster, x0 + tileW + pairGap, y0, right, offset, width, height, scale);
    }
    return img;
  }

  /** The grey level of a value in [0, 1]. */
  static int grey(float v) {
    if (!(v > 0)) {
      return 0; // also NaN
    }
    return v >= 1 ? 255 : Math.round(v * 255);
  }

  private static void check(float[] images, int count, int width, int height) {
    if (count < 0 || width < 1 || height < 1 || (long) count * width * height > images.length) {
      throw new IllegalArgumentException(
          count
              + " images of "
              + width
              + "x"
              + height
              + " do not fit in an array of "
              + images.length);
    }
  }

  private static BufferedImage blank(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = img.getRaster();
    int[] row = new int[w];
    Arrays.fill(row, BACKGROUND);
    for (int y = 0; y < h; y++) {
      raster.setSamples(0, y, w, 1, 0, row);
    }
    return img;
  }

  private static void draw(
      WritableRaster raster,
      int x0,
      int y0,
      float[] src,
      int offset,
      int width,
      int height,
      int scale) {
    int[] block = new int[scale * scale];
    for (int py = 0; py < height; py++) {
      for (int px = 0; px < width; px++) {
        Arrays.fill(block, grey(src[offset + py * width + px]));
        raster.setSamples(x0 + px * scale, y0 + py * scale, scale, scale, 0, block);
      }
    }
  }
}
