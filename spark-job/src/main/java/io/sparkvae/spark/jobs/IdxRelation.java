package io.sparkvae.spark.jobs;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads an IDX images file (MNIST layout, plain or gzip) through Hadoop's FileSystem into a
 * DataFrame {@code (id long, features vector[, label int])}, pixels scaled to [0,1]. The driver
 * reads only the header; each partition reads its own range of rows on an executor, so the images
 * never pass through the driver. A labels file next to the images ({@code ...-images-idx3-ubyte} →
 * {@code ...-labels-idx1-ubyte}) adds the {@code label} column.
 */
public final class IdxRelation {
  private IdxRelation() {}

  /** The header of an IDX file of unsigned bytes. */
  record Header(int count, int itemSize, int headerBytes, boolean gzip)
      implements java.io.Serializable {}

  /** Reads the images (and labels, when present next to them) into a DataFrame. */
  public static Dataset<Row> read(SparkSession spark, String imagesPath, int partitions) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Header images = header(conf, imagesPath);
    String labelsPath = imagesPath.replace("images-idx3", "labels-idx1");
    Header labels = null;
    if (!labelsPath.equals(imagesPath) && exists(conf, labelsPath)) {
      labels = header(conf, labelsPath);
      if (labels.count() != images.count() || labels.itemSize() != 1) {
        throw new IllegalArgumentException(
            "labels file "
                + labelsPath
                + " has "
                + labels.count()
                + " items of size "
                + labels.itemSize()
                + " but "
                + imagesPath
                + " has "
                + images.count()
                + " images");
      }
    }
    int parts = Math.max(1, Math.min(partitions, images.count()));
    List<int[]> ranges = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      ranges.add(
          new int[] {
            (int) ((long) images.count() * p / parts),
            (int) ((long) images.count() * (p + 1) / parts)
          });
    }
    Header img = images;
    Header lab = labels;
    // Executors resolve a relative path against their own working directory (a standalone worker's
    // is its work dir), not the driver's: they get the path qualified here, on the driver.
    String imgPath = qualified(conf, imagesPath);
    String labPath = lab == null ? null : qualified(conf, labelsPath);
    JavaRDD<Row> rows =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(ranges, parts)
            .flatMap(range -> readRange(imgPath, img, labPath, lab, range[0], range[1]).iterator());
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("features", new VectorUDT(), false);
    if (labels != null) {
      schema = schema.add("label", DataTypes.IntegerType, false);
    }
    return spark.createDataFrame(rows, schema);
  }

  /** The path with its file system's scheme and, when relative, the driver's working directory. */
  static String qualified(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).makeQualified(p).toString();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot resolve input " + path + ": " + e.getMessage(), e);
    }
  }

  private static boolean exists(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  static Header header(Configuration conf, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException(
            "input " + path + " does not exist (for MNIST run submit-scripts/fetch-data.sh)");
      }
      boolean gzip;
      try (FSDataInputStream raw = fs.open(p)) {
        gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      }
      try (DataInputStream in = new DataInputStream(open(fs, p, gzip))) {
        int magic = in.readInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
          throw new IllegalArgumentException(
              "input "
                  + path
                  + " is not an IDX file of unsigned bytes (magic 0x"
                  + Integer.toHexString(magic)
                  + ")");
        }
        int dims = magic & 0xff;
        if (dims < 1 || dims > 4) {
          throw new IllegalArgumentException("input " + path + " declares " + dims + " dimensions");
        }
        int count = in.readInt();
        long item = 1;
        for (int d = 1; d < dims; d++) {
          item *= in.readInt();
        }
        if (count < 0 || item < 1 || item > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("input " + path + " has an invalid header");
        }
        checkLength(fs, p, path, gzip, 4L + 4L * dims + (long) count * item, count, item);
        return new Header(count, (int) item, 4 + 4 * dims, gzip);
      } catch (EOFException e) {
        // An empty or cut file: DataInputStream's EOFException has no message ("null").
        throw new IllegalArgumentException(
            "input "
                + path
                + " ends inside its IDX header ("
                + fs.getFileStatus(p).getLen()
                + " bytes"
                + (gzip ? " compressed" : "")
                + "): it is empty, truncated or not an IDX file; fetch it again");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read input " + path + ": " + e.getMessage(), e);
    }
  }

  /** Refuses a file whose length is not the one its IDX header declares. */
  private static void checkLength(
      FileSystem fs, Path p, String path, boolean gzip, long expected, int count, long item)
      throws IOException {
    if (gzip) {
      checkGzipLength(fs, p, expected);
      return;
    }
    long length = fs.getFileStatus(p).getLen();
    if (length != expected) {
      throw new IllegalArgumentException(
          "input "
              + path
              + " is truncated or has trailing bytes: "
              + length
              + " bytes for "
              + count
              + " items of "
              + item);
    }
  }

  /**
   * Refuses a gzip file whose decompressed length is not the one its IDX header declares. Why here:
   * executors read their rows of a gzip file by decompressing from its start, so a truncated file
   * failed a task with a bare "Unexpected end of ZLIB input stream" naming no file. The gzip
   * trailer's ISIZE (the last 4 bytes: decompressed length mod 2^32) is checked on the driver for
   * the price of one seek; only when it disagrees (a truncated file, or a valid file of several
   * gzip members, whose last member's length it is) is the whole stream decompressed to decide.
   */
  static void checkGzipLength(FileSystem fs, Path p, long expected) throws IOException {
    long size = fs.getFileStatus(p).getLen();
    int isize = 0;
    if (size >= 18) {
      try (FSDataInputStream raw = fs.open(p)) {
        raw.seek(size - 4);
        isize = Integer.reverseBytes(raw.readInt());
      }
    }
    if (size >= 18 && (isize & 0xffffffffL) == (expected & 0xffffffffL)) {
      return;
    }
    long actual = 0;
    try (InputStream in = open(fs, p, true)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0 && actual <= expected; ) {
        actual += n;
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "input "
              + p
              + " is a truncated or corrupt gzip file ("
              + e.getMessage()
              + " after "
              + actual
              + " of the "
              + expected
              + " decompressed bytes its IDX header declares): fetch it again"
              + " (submit-scripts/fetch-data.sh checks what it fetches)",
          e);
    }
    if (actual != expected) {
      throw new IllegalArgumentException(
          "input "
              + p
              + " decompresses to "
              + (actual > expected ? "more than " : "")
              + actual
              + " bytes but its IDX header declares "
              + expected
              + ": the file is truncated or has trailing data");
    }
  }

  private static InputStream open(FileSystem fs, Path p, boolean gzip) throws IOException {
    FSDataInputStream raw = fs.open(p);
    return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
  }

  private static List<Row> readRange(
      String imagesPath, Header img, String labelsPath, Header lab, int from, int to)
      throws IOException {
    Configuration conf = new Configuration();
    byte[] pixels = readBytes(conf, imagesPath, img, from, to);
    byte[] labels = lab == null ? null : readBytes(conf, labelsPath, lab, from, to);
    List<Row> rows = new ArrayList<>(to - from);
    int size = img.itemSize();
    for (int i = 0; i < to - from; i++) {
      double[] v = new double[size];
      for (int j = 0; j < size; j++) {
        v[j] = (pixels[i * size + j] & 0xff) / 255.0;
      }
      DenseVector features = new DenseVector(v);
      rows.add(
          labels == null
              ? RowFactory.create((long) (from + i), features)
              : RowFactory.create((long) (from + i), features, labels[i] & 0xff));
    }
    return rows;
  }

  private static byte[] readBytes(Configuration conf, String path, Header h, int from, int to)
      throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    long skip = h.headerBytes() + (long) from * h.itemSize();
    byte[] out = new byte[(to - from) * h.itemSize()];
    try (InputStream in = open(fs, p, h.gzip())) {
      if (!h.gzip()) {
        ((FSDataInputStream) in).seek(skip);
      } else {
        // A gzip stream cannot seek: skip by reading (fine for the datasets IDX is used for).
        long left = skip;
        while (left > 0) {
          long n = in.skip(left);
          if (n <= 0) {
            throw new EOFException(path + " ends before row " + from);
          }
          left -= n;
        }
      }
      new DataInputStream(in).readFully(out);
    } catch (IOException e) {
      // Checked on the driver already; a file changed since then still names itself here.
      throw new IOException(
          "input " + path + ": cannot read rows " + from + " to " + to + ": " + e, e);
    }
    return out;
  }
}
