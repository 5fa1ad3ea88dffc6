package io.sparkvae.spark.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A metrics file of JSON lines, one per epoch, written through Hadoop's FileSystem. The whole file
 * is rewritten to a temporary sibling and renamed after every epoch, so a reader never sees half a
 * line and a crash leaves the previous epoch's file.
 */
public final class MetricsFile {
  private final Path path;
  private final Configuration conf;
  private final List<String> lines = new ArrayList<>();

  /** A metrics file at {@code path} (local, HDFS, S3...). */
  public MetricsFile(String path, Configuration conf) {
    this.path = new Path(path);
    this.conf = conf;
  }

  /** Appends one JSON line and rewrites the file. */
  public void append(String jsonLine) throws IOException {
    lines.add(jsonLine);
    FileSystem fs = path.getFileSystem(conf);
    Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp");
    if (path.getParent() != null) {
      fs.mkdirs(path.getParent());
    }
    try (OutputStream out = fs.create(tmp, true)) {
      for (String l : lines) {
        out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    if (fs.exists(path) && !fs.delete(path, false)) {
      throw new IOException("cannot replace " + path);
    }
    if (!fs.rename(tmp, path)) {
      throw new IOException("cannot rename " + tmp + " to " + path);
    }
  }
}
