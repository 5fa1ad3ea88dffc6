package io.sparkvae.spark.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks, before Spark reads them, that the files of an input are in the {@code --input-format}
 * given. Why: Spark's text readers (csv, libsvm) read any file, so a Parquet file in a directory of
 * libsvm files fails an epoch later with its own bytes as the "number" that did not parse (and a
 * csv header made of them), and the Parquet reader names the file but not the option to change.
 * Here each data file's first bytes are looked at once on the driver, and a file of another kind is
 * named with the option to fix.
 *
 * <p>Data files are those Spark reads: hidden names ({@code _SUCCESS}, {@code .crc}, starting with
 * {@code _} or {@code .}) are skipped, directories are walked (partitioned layouts). At most {@link
 * #MAX_FILES_CHECKED} files are opened, so a huge input costs a bounded number of reads.
 */
final class InputFiles {
  /** Files opened at most per input; beyond, the rest is left to Spark's own errors. */
  static final int MAX_FILES_CHECKED = 1000;

  private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
  private static final int SNIFF_BYTES = 512;

  private InputFiles() {}

  /**
   * Refuses an input whose data files are not of {@code format} (csv, libsvm or parquet; idx has
   * its own header checks in {@link IdxRelation}).
   *
   * @throws IllegalArgumentException naming the first file of another kind, what it looks like and
   *     the option to change
   */
  static void check(Configuration conf, String input, InputFormat format) {
    if (format == InputFormat.IDX) {
      return;
    }
    Path root = new Path(input);
    try {
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        return; // Spark's "Path does not exist" names it already
      }
      for (Path file : dataFiles(fs, root)) {
        String problem = problem(fs, file, format);
        if (problem != null) {
          throw new IllegalArgumentException("input " + file + " " + problem);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read input " + input + ": " + e.getMessage(), e);
    }
  }

  /** What is wrong with {@code file} for {@code format}, or null when it looks right. */
  private static String problem(FileSystem fs, Path file, InputFormat format) throws IOException {
    byte[] head = head(fs, file);
    boolean parquet = startsWith(head, PARQUET_MAGIC);
    if (format == InputFormat.PARQUET) {
      return parquet || head.length == 0
          ? null
          : "is not a Parquet file (it does not start with PAR1"
              + (looksLikeText(head) ? "; it looks like text" : "")
              + "): use --input-format csv or libsvm for text files, or point --input at the Parquet files only";
    }
    if (parquet) {
      return "is a Parquet file but --input-format is "
          + format
          + ": use --input-format parquet, or point --input at a directory holding only "
          + format
          + " files";
    }
    if (!compressedByName(file) && !looksLikeText(head)) {
      return "is not a "
          + format
          + " text file (binary content in its first "
          + head.length
          + " bytes)"
          + ": point --input at the "
          + format
          + " files only, or set --input-format to the files' format";
    }
    return null;
  }

  /** The data files under {@code root} (itself when a file), skipping Spark's hidden names. */
  private static List<Path> dataFiles(FileSystem fs, Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    List<Path> dirs = new ArrayList<>(List.of(root));
    while (!dirs.isEmpty() && files.size() < MAX_FILES_CHECKED) {
      Path dir = dirs.remove(dirs.size() - 1);
      FileStatus status = fs.getFileStatus(dir);
      if (status.isFile()) {
        files.add(dir);
        continue;
      }
      for (FileStatus child : fs.listStatus(dir)) {
        String name = child.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        if (child.isDirectory()) {
          dirs.add(child.getPath());
        } else if (files.size() < MAX_FILES_CHECKED) {
          files.add(child.getPath());
        }
      }
    }
    return files;
  }

  private static byte[] head(FileSystem fs, Path file) throws IOException {
    try (FSDataInputStream in = fs.open(file)) {
      byte[] buf = new byte[SNIFF_BYTES];
      int n = 0;
      while (n < buf.length) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return java.util.Arrays.copyOf(buf, n);
    }
  }

  /** Spark decompresses text files by their extension (gzip, bzip2, ...): those are not sniffed. */
  private static boolean compressedByName(Path file) {
    String name = file.getName().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".gz")
        || name.endsWith(".bz2")
        || name.endsWith(".deflate")
        || name.endsWith(".lz4")
        || name.endsWith(".snappy")
        || name.endsWith(".zst")
        || name.endsWith(".xz");
  }

  /** Text: no NUL byte and no other control characters than tab, newlines and form feed. */
  static boolean looksLikeText(byte[] head) {
    for (byte b : head) {
      int c = b & 0xff;
      if (c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
