package io.sparkvae.spark.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Decides whether a job may replace an existing output folder: only what is recognisably an output
 * of SparkVAE (a saved {@code VaeModel}, a training report) and only with {@code --overwrite}; an
 * empty folder may always be used. A foreign folder is never replaced, whatever the options: the
 * job fails before any training, naming the path and a few of its entries.
 */
public final class OutputGuard {
  private static final String MODEL_CLASS = "io.sparkvae.spark.ml.VaeModel";
  private static final String REPORT_TITLE = "<title>SparkVAE training report</title>";

  private OutputGuard() {}

  /** The guard for {@code --model-out}. */
  public static HadoopPublisher.Guard model(boolean overwrite) {
    return (fs, target) -> checkModel(fs, target, overwrite);
  }

  /** Throws unless the existing {@code target} may be replaced by a model. */
  public static void checkModel(FileSystem fs, Path target, boolean overwrite) throws IOException {
    if (!fs.exists(target)) {
      return;
    }
    if (!fs.getFileStatus(target).isDirectory()) {
      throw new IllegalArgumentException(
          "--model-out "
              + target
              + " is a file, not a folder; not replacing it:"
              + " choose another path");
    }
    FileStatus[] entries = fs.listStatus(target);
    if (entries.length == 0) {
      return;
    }
    if (!isModel(fs, target)) {
      throw new IllegalArgumentException(
          "--model-out "
              + target
              + " is a folder that is not a SparkVAE model"
              + " (it holds "
              + names(entries)
              + "); refusing to replace it: choose another path");
    }
    if (!overwrite) {
      throw new IllegalArgumentException(
          "--model-out "
              + target
              + " holds a previous SparkVAE model; add"
              + " --overwrite to replace it, or choose another path");
    }
  }

  /**
   * Whether {@code dir} holds a saved VaeModel: Spark's metadata naming its class and model-lib's
   * data.
   */
  public static boolean isModel(FileSystem fs, Path dir) throws IOException {
    Path metadata = new Path(dir, "metadata");
    if (!fs.exists(new Path(dir, "data/model.json"))
        || !fs.exists(metadata)
        || !fs.getFileStatus(metadata).isDirectory()) {
      return false;
    }
    for (FileStatus s : fs.listStatus(metadata)) {
      if (s.isFile() && s.getPath().getName().startsWith("part-") && s.getLen() < 1 << 20) {
        try (InputStream in = fs.open(s.getPath())) {
          if (new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .contains("\"" + MODEL_CLASS + "\"")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Throws unless the existing folder {@code dir} may be replaced by a report (names the
   * command-line options).
   */
  public static void checkReport(java.nio.file.Path dir, boolean overwrite) throws IOException {
    checkReport(dir, overwrite, "--report-dir", "--overwrite");
  }

  /**
   * Throws unless the existing folder {@code dir} may be replaced by a report.
   *
   * @param dirOption how the caller names the report folder in messages ({@code --report-dir},
   *     {@code reportDir})
   * @param overwriteOption how the caller names the permission to replace ({@code --overwrite},
   *     ...)
   */
  public static void checkReport(
      java.nio.file.Path dir, boolean overwrite, String dirOption, String overwriteOption)
      throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          dirOption
              + " "
              + dir
              + " is a file, not a folder; not replacing it:"
              + " choose another path");
    }
    List<String> entries = new ArrayList<>();
    try (Stream<java.nio.file.Path> s = Files.list(dir)) {
      s.limit(4).forEach(p -> entries.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
    }
    if (entries.isEmpty()) {
      return;
    }
    java.nio.file.Path index = dir.resolve("index.html");
    boolean report =
        Files.isRegularFile(index)
            && Files.size(index) < 16 << 20
            && Files.readString(index, StandardCharsets.UTF_8).contains(REPORT_TITLE);
    if (!report) {
      throw new IllegalArgumentException(
          dirOption
              + " "
              + dir
              + " is a folder that is not a SparkVAE report"
              + " (it holds "
              + String.join(", ", entries)
              + (entries.size() == 4 ? ", ..." : "")
              + "); refusing to replace it: choose another path");
    }
    if (!overwrite) {
      throw new IllegalArgumentException(
          dirOption
              + " "
              + dir
              + " holds a previous SparkVAE report; add "
              + overwriteOption
              + " to replace it, or choose another path");
    }
  }

  private static String names(FileStatus[] entries) {
    List<String> n = new ArrayList<>();
    for (int i = 0; i < Math.min(3, entries.length); i++) {
      n.add(entries[i].getPath().getName() + (entries[i].isDirectory() ? "/" : ""));
    }
    return String.join(", ", n) + (entries.length > 3 ? ", ..." : "");
  }
}
