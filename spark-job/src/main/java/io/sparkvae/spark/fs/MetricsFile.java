package io.sparkvae.spark.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A metrics file of JSON lines, one per epoch, written through Hadoop's FileSystem. The whole file
 * is rewritten ({@link HadoopPublisher#writeFile}) after every epoch, so a reader never sees half a
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
    StringBuilder all = new StringBuilder();
    for (String l : lines) {
      all.append(l).append('\n');
    }
    HadoopPublisher.writeFile(
        path.getFileSystem(conf), path, all.toString().getBytes(StandardCharsets.UTF_8));
  }
}
